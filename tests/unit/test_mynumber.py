"""The individual number (My Number) guard: check digit, detection and paths."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccus.registry.mynumber import (
    KEY_PLACEHOLDER,
    MyNumberError,
    check_digit,
    contains_individual_number,
    find_individual_number,
    is_individual_number,
    reject_individual_numbers,
)

# The check digit of each vector is worked out by hand below. Weights from the leftmost
# digit: 6 5 4 3 2 7 6 5 4 3 2.
VALID_NUMBERS = [
    # 1·6 + 2·5 + 3·4 + 4·3 + 5·2 + 6·7 + 7·6 + 8·5 + 9·4 + 0·3 + 1·2 = 212,
    # 212 mod 11 = 3, check digit 11 − 3 = 8.
    "123456789018",
    # 9·6 + 8·5 + 3·4 + 2·3 + 0·2 + 5·7 + 6·6 + 7·5 + 3·4 + 2·3 + 1·2 = 238,
    # 238 mod 11 = 7, check digit 4.
    "983205673214",
    # 3·6 + 1·5 + 4·4 + 1·3 + 5·2 + 9·7 + 2·6 + 6·5 + 5·4 + 3·3 + 5·2 = 196,
    # 196 mod 11 = 9, check digit 2.
    "314159265352",
    # 2·6 + 7·5 + 1·4 + 8·3 + 2·2 + 8·7 + 1·6 + 8·5 + 2·4 + 8·3 + 4·2 = 221,
    # 221 mod 11 = 1, so the check digit is 0.
    "271828182840",
    # 1·6 = 6, 6 mod 11 = 6, check digit 5.
    "100000000005",
    # Sum 0, remainder 0, so the check digit is 0.
    "000000000000",
]

digits = st.text(alphabet="0123456789", min_size=11, max_size=11)
identifiers = st.from_regex(r"[a-z_]{1,9}", fullmatch=True)


def reference_check_digit(first_eleven: str) -> int:
    """Compute the check digit straight from the statutory formula.

    P_n is the n-th digit counting from the right of the first 11 digits, and
    Q_n = n + 1 for 1 <= n <= 6, n - 5 for 7 <= n <= 11.
    """
    total = 0
    for n in range(1, 12):
        p = int(first_eleven[-n])
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def make_valid(first_eleven: str) -> str:
    return first_eleven + str(reference_check_digit(first_eleven))


# --- check digit -------------------------------------------------------------


@pytest.mark.parametrize("number", VALID_NUMBERS)
def test_known_numbers_are_valid(number: str) -> None:
    assert check_digit(number[:11]) == int(number[11])
    assert reference_check_digit(number[:11]) == int(number[11])
    assert is_individual_number(number)


@pytest.mark.parametrize("number", VALID_NUMBERS)
def test_other_check_digits_are_invalid(number: str) -> None:
    for digit in "0123456789":
        if digit != number[11]:
            assert not is_individual_number(number[:11] + digit), digit


@given(digits)
def test_exactly_one_check_digit_is_valid(first_eleven: str) -> None:
    valid = [d for d in "0123456789" if is_individual_number(first_eleven + d)]
    assert valid == [str(reference_check_digit(first_eleven))]
    assert check_digit(first_eleven) == reference_check_digit(first_eleven)


@given(digits)
def test_single_digit_changes_follow_formula(first_eleven: str) -> None:
    number = make_valid(first_eleven)
    for position in range(12):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            changed = number[:position] + digit + number[position + 1 :]
            expected = reference_check_digit(changed[:11]) == int(changed[11])
            assert is_individual_number(changed) == expected, changed
            if position == 11:
                assert not is_individual_number(changed), changed


@pytest.mark.parametrize(
    "bad", ["1234567890", "1234567890a", "１２３４５６７８９０１", ""]
)
def test_check_digit_rejects_non_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="11 ASCII digits"):
        check_digit(bad)


# --- is_individual_number ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1234-5678-9018",
        "1234 5678 9018",
        "１２３４５６７８９０１８",
        "１２３４－５６７８－９０１８",
        "1234\u30005678\u30009018",
        "1234ー5678ー9018",
        " 123456789018 ",
        "12-3456-789018",
    ],
)
def test_is_individual_number_accepts_separators(text: str) -> None:
    assert is_individual_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "12345678901",
        "1234567890180",
        "123456789017",
        "12345678901a",
        "No. 123456789018",
        "",
        "1234/5678/9018",
    ],
)
def test_is_individual_number_rejects_other_text(text: str) -> None:
    assert not is_individual_number(text)


# --- contains_individual_number ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "123456789018",
        "My Number: 123456789018.",
        "番号123456789018です",
        "ID-123456789018",
        "1234-5678-9018",
        "1234 5678 9018",
        "(1234-5678-9018)",
        "１２３４－５６７８－９０１８",
        "1234ー5678ー9018",
        "TEL 03-1234-5678, 1234 5678 9018",
        "0312345678 1234-5678-9018",
        "1234 5678-9012-3456 is not, but 1234-5678-9018 is",
    ],
)
def test_contains_detects_candidates(text: str) -> None:
    assert contains_individual_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "123456789017",  # wrong check digit
        "1234-5678-9017",
        "00123456789018",  # a 14-digit worker id with a valid 12-digit part
        "12345678901800",
        "0123456789018",
        "1234-5678-9018-3456",  # one longer number in groups of four
        "81-1234-5678-9018",
        "1234 5678 9018 3456",
        "1234-5678 9018",  # different separators at the two joins
        "1234  5678  9018",  # two spaces at each join
        "123-4567-89018",
        "090-1234-5678",
        "tel 0312345678",
    ],
)
def test_contains_ignores_other_numbers(text: str) -> None:
    assert not contains_individual_number(text)


@given(st.text(alphabet="0123456789", min_size=13, max_size=20))
def test_long_digit_runs_never_flagged(run: str) -> None:
    assert not contains_individual_number(run)
    assert find_individual_number({"worker_id": run}) is None


@given(digits, st.text(alphabet="abc XYZ,.:;/()", max_size=10))
def test_valid_number_in_text_is_found(first_eleven: str, around: str) -> None:
    number = make_valid(first_eleven)
    assert contains_individual_number(around + number + around)
    grouped = f"{number[:4]}-{number[4:8]}-{number[8:]}"
    assert contains_individual_number(around + grouped + around)


# --- find_individual_number --------------------------------------------------


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ("123456789018", "$"),
        ({"contact": {"phone": "123456789018"}}, "$.contact.phone"),
        (
            {
                "qualifications": [
                    {"code": "A1"},
                    {"code": "B2"},
                    {"code": "番号 1234-5678-9018"},
                ]
            },
            "$.qualifications[2].code",
        ),
        ({"items": ("x", ["y", "1234 5678 9018"])}, "$.items[1][1]"),
        ({"電話番号": "123456789018"}, "$['電話番号']"),
        ({"first name": "123456789018"}, "$['first name']"),
        ({"it's": "123456789018"}, "$['it\\'s']"),
        ({"contact": {"123456789018": "x"}}, "$.contact" + KEY_PLACEHOLDER),
        ({"memo": 123456789018}, "$.memo"),
        ({"memo": 123456789018.0}, "$.memo"),
        ([{"a": "ok"}, {"b": None}, {"c": "123456789018"}], "$[2].c"),
    ],
)
def test_find_returns_path(document: object, path: str) -> None:
    assert find_individual_number(document) == path


def test_find_returns_first_in_order() -> None:
    document = {
        "identity": {"name": "山田太郎"},
        "contact": {"phone": "123456789018", "email": "983205673214"},
        "notes": ["314159265352"],
    }
    assert find_individual_number(document) == "$.contact.phone"


@pytest.mark.parametrize(
    "document",
    [
        None,
        True,
        {"worker_id": "00123456789018"},
        {"phone": "123456789017"},
        {"count": 12345678901},
        {"count": 1234567890180},
        {"flag": False, "value": None, "ratio": 1.5},
        {"postal_code": "100-0001", "phone": "090-1234-5678"},
        [],
        {},
    ],
)
def test_find_returns_none(document: object) -> None:
    assert find_individual_number(document) is None


def test_find_handles_deep_nesting() -> None:
    document: object = "123456789018"
    for _ in range(5_000):
        document = [document]
    path = find_individual_number(document)
    assert path == "$" + "[0]" * 5_000


def test_find_skips_repeated_container() -> None:
    shared = {"a": "ok"}
    document: list[object] = [shared, shared]
    document.append(document)
    assert find_individual_number(document) is None


# --- reject_individual_numbers -----------------------------------------------


def test_reject_passes_clean_document() -> None:
    reject_individual_numbers({"contact": {"phone": "090-1234-5678"}})


def test_reject_raises_with_path() -> None:
    with pytest.raises(MyNumberError) as info:
        reject_individual_numbers({"contact": {"phone": "1234-5678-9018"}})
    error = info.value
    assert isinstance(error, ValueError)
    assert error.path == "$.contact.phone"
    message = str(error)
    assert "$.contact.phone" in message
    assert "My Number" in message
    assert "must never be stored" in message
    assert "not kept" in message


@given(
    digits,
    st.lists(identifiers, min_size=1, max_size=4),
    st.sampled_from(["{}", "{}-{}-{}", "{} {} {}", "note: {} end"]),
)
def test_error_never_contains_number(
    first_eleven: str, keys: list[str], layout: str
) -> None:
    number = make_valid(first_eleven)
    if layout == "{}-{}-{}" or layout == "{} {} {}":
        text = layout.format(number[:4], number[4:8], number[8:])
    else:
        text = layout.format(number)
    document: object = text
    for key in reversed(keys):
        document = {key: document}

    with pytest.raises(MyNumberError) as info:
        reject_individual_numbers(document)

    error = info.value
    assert error.path == "$." + ".".join(keys)
    for rendered in (str(error), repr(error), error.path, *map(str, error.args)):
        assert not re.search("[0-9]", rendered), rendered
    assert error.__cause__ is None
    assert error.__context__ is None
