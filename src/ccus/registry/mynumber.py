"""A guard that keeps individual numbers (個人番号, My Number) out of storage.

The service must never store a worker's individual number, so any text
that looks like one is rejected before it is stored. A candidate is 12
digits whose last digit is a valid check digit. Neither the number nor the
text around it appears in anything this module returns or raises: callers
get the JSON path of the value only.

What counts as a candidate in free text, after NFKC (which turns full-width
digits, hyphens and spaces into ASCII ones):

- exactly 12 digits in a row, with no digit directly before or after them,
  so a 12-digit part of the 14-digit worker id is never a candidate;
- three groups of 4 digits joined by one separator, the same one at both
  joins, such as ``1234-5678-9012`` or ``1234 5678 9012``. The separator
  is one whitespace character, a hyphen or dash, or the long vowel mark ー,
  which Japanese input in kana mode gives for the hyphen key. When that
  separator also joins the groups to a further digit, as in
  ``1234-5678-9012-3456``, the groups are part of a longer number and are
  not a candidate.

Other layouts, such as 4-4-4 with two spaces at a join, are not detected.
Exactly one in ten 12-digit numbers has a valid check digit, because each
11-digit prefix has one valid check digit. So an unrelated 12-digit number
is rejected one time in ten.
"""

from __future__ import annotations

import math
import re
import unicodedata

# Weights Q_n of the digits P_n, listed from the leftmost digit (n = 11) to
# the one before the check digit (n = 1): Q_n = n + 1 for 1 <= n <= 6 and
# Q_n = n - 5 for 7 <= n <= 11.
_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)

# Separators between digit groups after NFKC: whitespace, hyphen-minus,
# hyphen U+2010, figure dash to horizontal bar U+2012–U+2015, minus sign
# U+2212 and the long vowel mark ー U+30FC (also from half-width ｰ).
_SEPARATOR_CLASS = r"[\s\-\u2010\u2012-\u2015\u2212\u30fc]"
_SEPARATORS = re.compile(_SEPARATOR_CLASS)
_DIGIT_RUN_START = re.compile(r"(?<![0-9])[0-9]")
_PLAIN = re.compile(r"[0-9]{12}(?![0-9])")
_GROUPED = re.compile(r"[0-9]{4}(" + _SEPARATOR_CLASS + r")[0-9]{4}\1[0-9]{4}(?![0-9])")
_ELEVEN_DIGITS = re.compile(r"[0-9]{11}")
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Path segment shown in place of an object key that itself contains an
# individual number.
KEY_PLACEHOLDER = "[<key>]"


class MyNumberError(ValueError):
    """Rejection of a value that contains an individual number.

    The error carries only the JSON path of the value, never the value.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"the value at {path} contains an individual number (My Number). "
            "Individual numbers must never be stored, so the value was not "
            "kept. Remove the number and submit the data again."
        )


def check_digit(first_eleven: str) -> int:
    """Compute the check digit of the first 11 digits of an individual number.

    This is the formula of 第8条 of
    行政手続における特定の個人を識別するための番号の利用等に関する法律施行令,
    set out in 第5条 of 総務省令第八十五号 (2014): remainder = Σ P_n × Q_n
    mod 11, and the check digit is 0 when the remainder is 0 or 1, else
    11 − remainder.

    Raises:
        ValueError: ``first_eleven`` is not 11 ASCII digits.
    """
    if not _ELEVEN_DIGITS.fullmatch(first_eleven):
        raise ValueError(
            f"the first part of an individual number must be 11 ASCII digits, "
            f"got {len(first_eleven)} characters"
        )
    total = sum(
        int(digit) * weight
        for digit, weight in zip(first_eleven, _WEIGHTS, strict=True)
    )
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def _has_valid_check_digit(digits: str) -> bool:
    return check_digit(digits[:11]) == int(digits[11])


def is_individual_number(text: str) -> bool:
    """Return whether ``text`` is one individual number and nothing else.

    After NFKC and removal of every whitespace and hyphen-like separator, the
    text must be exactly 12 digits with a valid check digit.
    """
    digits = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if not _TWELVE_DIGITS.fullmatch(digits):
        return False
    return _has_valid_check_digit(digits)


def contains_individual_number(text: str) -> bool:
    """Return whether free text contains a candidate with a valid check digit.

    The module docstring defines the candidates.
    """
    text = unicodedata.normalize("NFKC", text)
    for start in _DIGIT_RUN_START.finditer(text):
        position = start.start()
        plain = _PLAIN.match(text, position)
        if plain is not None and _has_valid_check_digit(plain.group()):
            return True
        grouped = _GROUPED.match(text, position)
        if grouped is not None and _is_grouped_candidate(text, grouped):
            return True
    return False


def _is_grouped_candidate(text: str, match: re.Match[str]) -> bool:
    separator = match.group(1)
    start, end = match.span()
    joined_before = (
        start >= 2 and text[start - 1] == separator and "0" <= text[start - 2] <= "9"
    )
    joined_after = (
        end + 1 < len(text) and text[end] == separator and "0" <= text[end + 1] <= "9"
    )
    if joined_before or joined_after:
        return False
    digits = _SEPARATORS.sub("", match.group())
    return _has_valid_check_digit(digits)


def _is_individual_number_value(number: int | float) -> bool:
    """Return whether a JSON number is a 12-digit integer with a valid check digit."""
    if isinstance(number, float):
        if not math.isfinite(number) or not number.is_integer():
            return False
        number = int(number)
    digits = str(abs(number))
    return len(digits) == 12 and _has_valid_check_digit(digits)


class _Step:
    """One segment of a JSON path, linked to its parent's."""

    __slots__ = ("parent", "segment")

    def __init__(self, segment: str, parent: _Step | None) -> None:
        self.segment = segment
        self.parent = parent


def _render_path(step: _Step | None) -> str:
    segments: list[str] = []
    while step is not None:
        segments.append(step.segment)
        step = step.parent
    return "$" + "".join(reversed(segments))


def _member_segment(key: str) -> str:
    """Write a key as ``.name`` when it is an ASCII identifier, else ``['…']``."""
    if _IDENTIFIER.fullmatch(key):
        return "." + key
    escaped = []
    for char in key:
        if char in "\\'":
            escaped.append("\\" + char)
        elif unicodedata.category(char) == "Cc":
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return "['" + "".join(escaped) + "']"


def find_individual_number(value: object) -> str | None:
    """Find the first individual number in a structure decoded from JSON.

    Walks dicts, lists and tuples depth first, in order, and checks strings,
    dict keys and integer JSON numbers of exactly 12 digits. The keys of an
    object are checked before its values. Returns the JSON path of the first
    value that contains an individual number, such as ``$.contact.phone`` or
    ``$.qualifications[2].code``, or None. A key that itself contains one is
    shown as ``[<key>]``, as in ``$.contact[<key>]``. Other types (None,
    bool, bytes, sets) are not checked, and a container reached a second
    time is skipped.
    """
    stack: list[tuple[object, _Step | None]] = [(value, None)]
    seen: set[int] = set()
    while stack:
        item, step = stack.pop()
        if isinstance(item, str):
            if contains_individual_number(item):
                return _render_path(step)
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int | float):
            if _is_individual_number_value(item):
                return _render_path(step)
        elif isinstance(item, dict | list | tuple):
            if id(item) in seen:
                continue
            seen.add(id(item))
            children: list[tuple[object, _Step]] = []
            if isinstance(item, dict):
                for key, child in item.items():
                    key_text = key if isinstance(key, str) else str(key)
                    if contains_individual_number(key_text):
                        return _render_path(_Step(KEY_PLACEHOLDER, step))
                    children.append((child, _Step(_member_segment(key_text), step)))
            else:
                for index, child in enumerate(item):
                    children.append((child, _Step(f"[{index}]", step)))
            stack.extend(reversed(children))
    return None


def reject_individual_numbers(value: object) -> None:
    """Raise MyNumberError if ``value`` contains an individual number.

    Raises:
        MyNumberError: naming the JSON path of the first one found.
    """
    path = find_individual_number(value)
    if path is not None:
        raise MyNumberError(path)
