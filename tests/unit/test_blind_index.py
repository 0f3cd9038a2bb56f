"""Blind indexes: name normalisation, key derivation, tokens and their spread."""

from __future__ import annotations

import hashlib
import hmac
import random
import re
from collections import Counter

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import strategies as st

from ccus.crypto.blind_index import (
    DUPLICATE_CHECK,
    NAME_KANA_SEARCH,
    NAME_SEARCH,
    NATIONAL_ID_LOGIN,
    BlindIndex,
    index_key,
    normalise,
)

ROOT = bytes(range(32))
OTHER_ROOT = bytes(range(1, 33))

hiragana_text = st.text(
    alphabet=st.characters(min_codepoint=0x3041, max_codepoint=0x3096),
    min_size=1,
    max_size=20,
)
# Katakana ァ..ヶ and the long vowel mark, which normalise() leaves unchanged.
katakana_names = st.text(
    alphabet=st.characters(min_codepoint=0x30A1, max_codepoint=0x30F6) | st.just("ー"),
    min_size=1,
    max_size=12,
)


def to_katakana(text: str) -> str:
    return "".join(chr(ord(char) + 0x60) for char in text)


# --- normalise ---------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "ﾀﾅｶ",
        "たなか",
        "タナカ",
        "タ ナ カ",
        "タ\u3000ナ\u3000カ",
        " タナカ\t\n",
        "ﾀ ﾅ ｶ",
    ],
)
def test_normalise_folds_kana_width_and_spaces(spelling: str) -> None:
    assert normalise(spelling) == "タナカ"


@pytest.mark.parametrize(
    "spelling",
    ["ＴＡＮＡＫＡ", "TANAKA", "Tanaka", "tanaka", "T A N A K A", "ｔａｎａｋａ"],
)
def test_normalise_folds_latin_width_and_case(spelling: str) -> None:
    assert normalise(spelling) == "tanaka"


def test_normalise_keeps_kana_apart_from_latin() -> None:
    assert normalise("タナカ") != normalise("tanaka")


@pytest.mark.parametrize(
    "spelling",
    [
        "グエン・ヴァン・アン",
        "グエンヴァンアン",
        "グエン ヴァン アン",
        "グエン　ヴァン　アン",
        "ｸﾞｴﾝ･ｳﾞｧﾝ･ｱﾝ",
        "ぐえん・ゔぁん・あん",
        "グエン＝ヴァン＝アン",
        "グエン゠ヴァン゠アン",
        "グエン·ヴァン·アン",
    ],
)
def test_normalise_removes_foreign_name_separators(spelling: str) -> None:
    assert normalise(spelling) == "グエンヴァンアン"


@pytest.mark.parametrize(
    "spelling",
    ["Jean-Pierre", "jean pierre", "JEANPIERRE", "Jean－Pierre", "Jean‐Pierre"],
)
def test_normalise_removes_hyphens(spelling: str) -> None:
    assert normalise(spelling) == "jeanpierre"


def test_normalise_keeps_long_vowel_mark() -> None:
    assert normalise("ヌーエン") == "ヌーエン"
    assert normalise("ﾇｰｴﾝ") == "ヌーエン"
    assert normalise("ぬーえん") == "ヌーエン"
    assert normalise("ヌーエン") != normalise("ヌエン")
    assert normalise("ヌ-エン") == normalise("ヌエン")


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("葛\U000e0100", "葛"),
        ("葛\U000e0101", "葛"),
        ("辻\U000e0100", "辻"),
        ("神\ufe00", "神"),
        ("葛飾\U000e0100区", "葛飾区"),
    ],
)
def test_normalise_strips_variation_selectors(spelling: str, expected: str) -> None:
    assert normalise(spelling) == expected


def test_normalise_keeps_supplementary_kanji() -> None:
    assert normalise("𠮷田") == "𠮷田"
    assert normalise("𠮷田") != normalise("吉田")
    assert normalise("髙橋") != normalise("高橋")


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("カ゛", "ガ"),  # U+309B, the spacing voicing mark
        ("か\u3099", "ガ"),  # combining voicing mark
        ("ﾊﾟ", "パ"),
        ("いすゞ", "イスヾ"),
        ("こゝろ", "コヽロ"),
        ("タ\u200bナ\u200dカ", "タナカ"),  # zero-width space and joiner
        ("タナカ\x1f\x00", "タナカ"),
        ("Straße", "strasse"),
    ],
)
def test_normalise_special_characters(spelling: str, expected: str) -> None:
    assert normalise(spelling) == expected


@given(st.text(max_size=40))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@given(st.text(max_size=40))
def test_normalise_output_has_no_removed_characters(text: str) -> None:
    result = normalise(text)
    assert not any(char.isspace() for char in result)
    assert "\x1f" not in result
    assert "・" not in result
    assert not any(0x3041 <= ord(char) <= 0x3096 for char in result)


@given(hiragana_text)
def test_normalise_folds_hiragana_to_katakana(text: str) -> None:
    assert normalise(text) == normalise(to_katakana(text))
    assert not any(0x3041 <= ord(char) <= 0x3096 for char in normalise(text))


@given(katakana_names)
def test_normalise_keeps_full_width_katakana(text: str) -> None:
    assert normalise(text) == text


# --- index_key ---------------------------------------------------------------


def test_index_key_matches_documented_hkdf() -> None:
    expected = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"ccus.blind-index.v1.hkdf-salt",
        info=b"ccus.blind-index.v1\x00worker_indexes\x00duplicate",
    ).derive(ROOT)
    assert index_key(ROOT, "worker_indexes", "duplicate") == expected


def test_index_key_differs_per_place() -> None:
    keys = {
        index_key(ROOT, "worker_indexes", "duplicate"),
        index_key(ROOT, "worker_indexes", "name"),
        index_key(ROOT, "workers", "duplicate"),
        index_key(ROOT, "ab", "c"),
        index_key(ROOT, "a", "bc"),
        index_key(OTHER_ROOT, "worker_indexes", "duplicate"),
    }
    assert len(keys) == 6


@pytest.mark.parametrize(
    ("root", "table", "column", "message"),
    [
        (b"", "t", "c", "root key is empty"),
        (bytes(31), "t", "c", "at least 32 bytes, got 31"),
        (ROOT, "", "c", "table name is empty"),
        (ROOT, "t", "", "column name is empty"),
        (ROOT, "t\x00x", "c", "table name 't\\x00x' contains NUL"),
        (ROOT, "t", "c\x00", "column name 'c\\x00' contains NUL"),
    ],
)
def test_index_key_rejects_bad_input(
    root: bytes, table: str, column: str, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        index_key(root, table, column)


# --- BlindIndex --------------------------------------------------------------


@pytest.mark.parametrize("bits", [7, 65, 0, -1, 128])
def test_blind_index_rejects_bits_out_of_range(bits: int) -> None:
    with pytest.raises(ValueError, match="between 8 and 64"):
        BlindIndex(ROOT, "t", "c", bits)


def test_blind_index_rejects_bool_bits() -> None:
    with pytest.raises(ValueError, match="between 8 and 64"):
        BlindIndex(ROOT, "t", "c", True)


def test_blind_index_rejects_empty_root() -> None:
    with pytest.raises(ValueError, match="root key is empty"):
        BlindIndex(b"", "t", "c", 16)


def test_compute_known_answer() -> None:
    index = BlindIndex.for_use(ROOT, DUPLICATE_CHECK)
    assert index.compute("タナカ タロウ", "1980-01-02") == "v1:2ceff"


def test_compute_matches_documented_construction() -> None:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"ccus.blind-index.v1.hkdf-salt",
        info=b"ccus.blind-index.v1\x00worker_indexes\x00duplicate",
    ).derive(ROOT)
    message = "タナカタロウ\x1f19800102".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    top_18_bits = int.from_bytes(digest[:3], "big") >> 6
    expected = f"v1:{top_18_bits:05x}"
    index = BlindIndex(ROOT, "worker_indexes", "duplicate", 18)
    assert index.compute("たなか　たろう", "1980-01-02") == expected


def test_compute_is_deterministic() -> None:
    first = BlindIndex(ROOT, "worker_indexes", "name", 14)
    second = BlindIndex(ROOT, "worker_indexes", "name", 14)
    assert first.compute("山田太郎") == first.compute("山田太郎")
    assert first.compute("山田太郎") == second.compute("山田太郎")


@pytest.mark.parametrize("bits", [8, 9, 14, 18, 32, 63, 64])
def test_token_format(bits: int) -> None:
    index = BlindIndex(ROOT, "t", "c", bits)
    digits = -(-bits // 4)
    for name in ("タナカ", "山田太郎", "nguyen", "𠮷田"):
        token = index.compute(name)
        assert re.fullmatch(rf"v1:[0-9a-f]{{{digits}}}", token), token
        assert len(token) == index.token_length
        assert int(token[3:], 16) < 2**bits


def test_uses_have_documented_bits() -> None:
    assert DUPLICATE_CHECK.bits == 18
    assert NATIONAL_ID_LOGIN.bits == 18
    assert NAME_KANA_SEARCH.bits == 14
    assert NAME_SEARCH.bits == 14
    columns = {
        use.column
        for use in (DUPLICATE_CHECK, NATIONAL_ID_LOGIN, NAME_KANA_SEARCH, NAME_SEARCH)
    }
    assert len(columns) == 4
    assert all(len(column) <= 20 for column in columns)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("たなか　たろう", "1980-01-02"), ("ﾀﾅｶ ﾀﾛｳ", "19800102")),
        (("タナカ・タロウ", "1980-01-02"), ("タナカタロウ", "1980－01－02")),
        (("葛西\U000e0100",), ("葛西",)),
    ],
)
def test_compute_equal_after_normalisation(
    first: tuple[str, ...], second: tuple[str, ...]
) -> None:
    index = BlindIndex(ROOT, "worker_indexes", "duplicate", 64)
    assert index.compute(*first) == index.compute(*second)


def test_compute_keeps_parts_apart() -> None:
    index = BlindIndex(ROOT, "t", "c", 64)
    assert index.compute("ab", "c") != index.compute("a", "bc")
    assert index.compute("ab", "c") != index.compute("abc")
    assert index.compute("a b") == index.compute("ab")


@given(hiragana_text)
def test_compute_folds_hiragana(text: str) -> None:
    index = BlindIndex(ROOT, "worker_indexes", "name_kana", 14)
    assert index.compute(text) == index.compute(to_katakana(text))


@given(st.lists(katakana_names, min_size=20, max_size=40, unique=True))
def test_compute_differs_per_column_table_and_key(names: list[str]) -> None:
    # Each comparison collides with probability 2^-18, so two or more equal
    # tokens among 40 names happen with probability about 1e-8.
    base = BlindIndex(ROOT, "worker_indexes", "duplicate", 18)
    others = [
        BlindIndex(ROOT, "worker_indexes", "national_id", 18),
        BlindIndex(ROOT, "workers", "duplicate", 18),
        BlindIndex(OTHER_ROOT, "worker_indexes", "duplicate", 18),
    ]
    for other in others:
        equal = sum(base.compute(name) == other.compute(name) for name in names)
        assert equal <= 1, other


def test_compute_rejects_no_parts() -> None:
    index = BlindIndex(ROOT, "t", "c", 16)
    with pytest.raises(ValueError, match="at least one part"):
        index.compute()


def test_compute_rejects_empty_part_without_value() -> None:
    index = BlindIndex(ROOT, "worker_indexes", "duplicate", 18)
    with pytest.raises(ValueError, match="part 1 of worker_indexes.duplicate") as info:
        index.compute("タナカ", " ・ ")
    assert "・" not in str(info.value)
    assert "タナカ" not in str(info.value)


def test_repr_hides_key() -> None:
    index = BlindIndex(ROOT, "worker_indexes", "name", 14)
    text = repr(index)
    assert text == "BlindIndex(table='worker_indexes', column='name', bits=14)"
    assert ROOT.hex() not in text


def test_tokens_spread_evenly() -> None:
    # 100,000 distinct random names and birth dates go into 2^14 buckets. For
    # a uniform spread the chi-square statistic has mean 16,383 and standard
    # deviation 181, and the chance that any Poisson(6.1) bucket exceeds 30
    # rows is about 1e-8. The seed is fixed, so the test cannot flake.
    rng = random.Random(20240401)
    kana = [chr(code) for code in range(0x30A2, 0x30F4)]
    index = BlindIndex.for_use(ROOT, NAME_KANA_SEARCH)
    values: set[tuple[str, str]] = set()
    while len(values) < 100_000:
        name = "".join(rng.choice(kana) for _ in range(rng.randint(3, 8)))
        year, month, day = (
            rng.randint(1940, 2006),
            rng.randint(1, 12),
            rng.randint(1, 28),
        )
        birth = f"{year}-{month:02d}-{day:02d}"
        values.add((name, birth))
    counts = Counter(index.compute(name, birth) for name, birth in values)

    buckets = 2**NAME_KANA_SEARCH.bits
    expected = len(values) / buckets
    occupied = sum((count - expected) ** 2 / expected for count in counts.values())
    empty = (buckets - len(counts)) * expected
    chi_square = occupied + empty
    assert 16_383 - 8 * 181 < chi_square < 16_383 + 8 * 181
    assert max(counts.values()) <= 30
    assert len(counts) > buckets * 0.99
