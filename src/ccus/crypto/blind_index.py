"""Keyed blind indexes: find rows by a personal value without storing it.

A blind index token is a truncated HMAC-SHA256 of the normalised value under a
key derived for one table and column. The registry stores the token beside the
sealed value and looks rows up by token. Because the token is truncated, many
rows share each token: a lookup returns candidates, and the caller decrypts
every candidate and compares the values exactly.

Token format, version 1::

    "v1:" + lowercase hex of the HMAC's first ``bits`` bits,
            zero-padded to ceil(bits / 4) digits

For 18 bits that is ``v1:`` and 5 hex digits, for example ``v1:2a3f0``. The
version covers the normalisation rules, the key derivation and the encoding,
so a change to any of them needs a new version and a re-index.

Bucket sizes
------------

With ``b`` bits there are 2^b buckets, and N rows put N / 2^b rows in each
bucket on average. The uses below are sized for N = 3,000,000 workers. The
figures are averages that assume the HMAC spreads values uniformly, which
``tests/unit/test_blind_index.py`` checks on random names.

=================  ========================  ====  =======  ===========
use                input                     bits  buckets  rows/bucket
=================  ========================  ====  =======  ===========
duplicate check    kana name + birth date    18    262,144  11.4
name search        kana name or kanji name   14    16,384   183
national-ID login  kanji name + birth date   18    262,144  11.4
=================  ========================  ====  =======  ===========

A bucket containing about 10 rows or more hides which of them, if any, has the
guessed value. At 11.4 rows per bucket the chance that a bucket is empty is
about e^-11.4 = 1.1e-5 (Poisson approximation). So even someone who has the
key and guesses a name and birth date finds a non-empty bucket whether or not
that person is registered. The averages fall in proportion to N: below
about 2.6 million workers an 18-bit bucket contains fewer than 10 rows on
average.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import unicodedata
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TOKEN_PREFIX_V1 = "v1:"  # noqa: S105 - a format prefix
MIN_BITS = 8
MAX_BITS = 64
KEY_BYTES = 32
# HKDF salt of format version 1. RFC 5869 allows a fixed, non-secret salt.
HKDF_SALT_V1 = b"ccus.blind-index.v1.hkdf-salt"
HKDF_INFO_PREFIX_V1 = b"ccus.blind-index.v1\x00"
# Joins the parts of a compound value. normalise() removes every control
# character, so the separator cannot occur inside a part.
PART_SEPARATOR = "\x1f"

# Maximum passes of the normalisation steps. No text is known that needs more
# than two changing passes. If five are not enough, the result may not be
# idempotent.
_MAX_PASSES = 5

# Hiragana U+3041–U+3096 lie 0x60 below the matching katakana, and the
# hiragana iteration marks ゝゞ map to the katakana ones ヽヾ.
_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)} | {
    0x309D: 0x30FD,
    0x309E: 0x30FE,
}

# Separators between the parts of a name, as they are left by NFKC:
# katakana middle dot ・ (also from half-width ･), middle dot ·, the katakana
# double hyphen ゠ and = (also from full-width ＝), and the hyphen-minus and
# dashes (also from full-width －). The long vowel mark ー is not among them.
_NAME_SEPARATORS = frozenset("\u30fb\u00b7\u30a0=-\u2010\u2012\u2013\u2014\u2015\u2212")

# Control (Cc), format (Cf) and lone surrogate (Cs) characters.
_INVISIBLE_CATEGORIES = frozenset(("Cc", "Cf", "Cs"))


def normalise(text: str) -> str:
    """Fold the ways one name can be typed into a single form.

    Each pass applies these steps in order, and passes repeat until the text
    no longer changes, so that ``normalise(normalise(x)) == normalise(x)``:

    1. NFKC folds full-width ASCII and half-width katakana to their common
       forms (ＴＡＮＡＫＡ to TANAKA, ﾀﾅｶ to タナカ) and joins a kana with its
       separate voicing mark (ｶﾞ to ガ).
    2. Case folding (``str.casefold``) makes TANAKA and tanaka equal.
    3. Hiragana become katakana, so たなか and タナカ are equal.
    4. Removal of characters that people type inconsistently: whitespace
       (U+3000 included), the name separators listed in
       ``_NAME_SEPARATORS``, invisible control and format characters, lone
       surrogates and variation selectors. A variation selector (U+FE00–U+FE0F
       or U+E0100–U+E01EF) only picks a glyph of the same character, so 葛
       and 葛 followed by U+E0100 match.

    Another pass is needed when step 4 brings a combining mark next to a
    letter that NFKC then composes, or when case folding leaves text that
    NFKC changes. The long vowel mark ー is kept, so a dash typed in its place
    is removed and ヌ-エン does not match ヌーエン. Variant kanji such as 髙
    and 高 stay distinct because they are distinct characters, and so do 吉
    and 𠮷.

    NOTE: the Unicode Character Encoding Stability Policy keeps NFKC and case
    folding of assigned characters unchanged in later Unicode versions. A
    character unassigned in this Python's Unicode version
    (``unicodedata.unidata_version``) may normalise differently after an
    upgrade, and its rows then need a re-index.
    """
    for _ in range(_MAX_PASSES):
        folded = _normalise_once(text)
        if folded == text:
            break
        text = folded
    return text


def _normalise_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    text = text.translate(_HIRAGANA_TO_KATAKANA)
    return "".join(char for char in text if not _is_removed(char))


def _is_removed(char: str) -> bool:
    code = ord(char)
    return (
        char.isspace()
        or char in _NAME_SEPARATORS
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
        or unicodedata.category(char) in _INVISIBLE_CATEGORIES
    )


def index_key(root: bytes, table: str, column: str) -> bytes:
    """Derive the 32-byte HMAC key of one table and column from the root key.

    HKDF-SHA256 with a fixed salt and the info
    ``b"ccus.blind-index.v1\\x00" + table + b"\\x00" + column`` (UTF-8) gives
    each column its own key, so equal values in two columns get unrelated
    tokens.

    Raises:
        ValueError: the root key is empty or shorter than 32 bytes, or the
            table or column name is empty or contains NUL.
    """
    if not root:
        raise ValueError("blind-index root key is empty")
    if len(root) < KEY_BYTES:
        raise ValueError(
            f"blind-index root key must be at least {KEY_BYTES} bytes, got {len(root)}"
        )
    for label, name in (("table", table), ("column", column)):
        if not name:
            raise ValueError(f"blind-index {label} name is empty")
        if "\x00" in name:
            raise ValueError(f"blind-index {label} name {name!r} contains NUL")
    info = HKDF_INFO_PREFIX_V1 + table.encode() + b"\x00" + column.encode()
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=KEY_BYTES, salt=HKDF_SALT_V1, info=info
    )
    return hkdf.derive(root)


@dataclass(frozen=True, slots=True)
class IndexUse:
    """The table, column and bit length of one kind of lookup."""

    table: str
    column: str
    bits: int


# Registration looks for an existing worker with the same kana name and
# birth date among all workers. The 2^18 buckets contain 11.4 rows each at 3M
# workers, so a registration decrypts about 11 false candidates.
DUPLICATE_CHECK = IndexUse("worker_indexes", "duplicate", 18)

# An employer looks up one of its own workers by the full kana or kanji name.
# A name alone is far from uniform, so the buckets are wider: 2^14 buckets
# contain 183 rows each at 3M workers, and an employer with 5,000 workers
# gets 5,000 / 16,384 = 0.31 false candidates per lookup on average. With 16
# bits a bucket would contain only 46 rows, and with 12 bits an employer of
# that size would get 1.2 false candidates. A name shared by hundreds of
# workers still makes its bucket larger than the others (the Poisson standard
# deviation is about 14 rows). So the index hides which name a bucket
# contains, but not that some bucket contains a common name.
NAME_KANA_SEARCH = IndexUse("worker_indexes", "name_kana", 14)
NAME_SEARCH = IndexUse("worker_indexes", "name", 14)

# A national-ID login is matched to its worker by the kanji name and birth
# date that the ID provider verified, among all workers. The input has about
# the entropy of the duplicate check's, so it gets the same 18 bits and 11.4
# rows per bucket at 3M workers. A login then decrypts about 11 false
# candidates, which costs 11 data-key unwraps with a remote KEK provider.
# NOTE: the provider's name may use a variant kanji (髙 for 高) where the
# registered name does not, and then no candidate matches.
NATIONAL_ID_LOGIN = IndexUse("worker_indexes", "national_id", 18)


class BlindIndex:
    """The blind index of one table and column, with its derived key."""

    __slots__ = ("_key", "bits", "column", "table")

    def __init__(self, root: bytes, table: str, column: str, bits: int) -> None:
        """Derive the column's key from ``root``.

        Raises:
            ValueError: ``bits`` is outside 8..64, or :func:`index_key`
                rejects the root key, table or column.
        """
        if isinstance(bits, bool) or not MIN_BITS <= bits <= MAX_BITS:
            raise ValueError(
                f"blind-index bits must be between {MIN_BITS} and {MAX_BITS}, "
                f"got {bits!r}"
            )
        self._key = index_key(root, table, column)
        self.table = table
        self.column = column
        self.bits = bits

    @classmethod
    def for_use(cls, root: bytes, use: IndexUse) -> BlindIndex:
        """Build the index of one of the uses defined in this module."""
        return cls(root, use.table, use.column, use.bits)

    def __repr__(self) -> str:
        return (
            f"BlindIndex(table={self.table!r}, column={self.column!r}, "
            f"bits={self.bits})"
        )

    @property
    def token_length(self) -> int:
        """Number of characters in every token of this index."""
        return len(TOKEN_PREFIX_V1) + math.ceil(self.bits / 4)

    def compute(self, *parts: str) -> str:
        """Compute the token of a value made of one or more text parts.

        Each part is normalised and the parts are joined with U+001F, which
        normalisation removes from the parts themselves. The value is never
        part of an error message.

        Raises:
            ValueError: no part was given, or a part is empty after
                normalisation.
        """
        if not parts:
            raise ValueError("blind-index compute needs at least one part")
        normalised = [normalise(part) for part in parts]
        for position, part in enumerate(normalised):
            if not part:
                raise ValueError(
                    f"blind-index part {position} of {self.table}.{self.column} "
                    "is empty after normalisation"
                )
        message = PART_SEPARATOR.join(normalised).encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return self._encode(digest)

    def _encode(self, digest: bytes) -> str:
        """Keep the first ``bits`` bits of the digest and encode them as hex."""
        byte_count = math.ceil(self.bits / 8)
        value = int.from_bytes(digest[:byte_count], "big")
        value >>= byte_count * 8 - self.bits
        digits = math.ceil(self.bits / 4)
        return f"{TOKEN_PREFIX_V1}{value:0{digits}x}"
