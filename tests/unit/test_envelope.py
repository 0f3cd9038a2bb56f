"""Properties of the field envelope: round trips, binding, tamper detection."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccus.crypto import envelope
from ccus.crypto.keyring import KeyringFile, create_local_keyring
from ccus.crypto.providers import LocalKekProvider
from ccus.registry.vault import WorkerVault

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
CONTEXT = envelope.field_context("workers", "contact_ct", "00000000000001")


@given(st.binary(max_size=2048), st.integers(min_value=0, max_value=2**32 - 1))
def test_seal_round_trips(plaintext: bytes, version: int) -> None:
    blob = envelope.seal(KEY, version, plaintext, CONTEXT)
    assert envelope.open_sealed(KEY, blob, CONTEXT) == plaintext
    assert envelope.sealed_key_version(blob) == version


@given(st.text(max_size=200))
def test_seal_round_trips_text(value: str) -> None:
    data = value.encode("utf-8", "surrogatepass")
    blob = envelope.seal(KEY, 1, data, CONTEXT)
    assert (
        envelope.open_sealed(KEY, blob, CONTEXT).decode("utf-8", "surrogatepass")
        == value
    )


@pytest.mark.parametrize(
    "context",
    [
        envelope.field_context("workers", "contact_ct", "00000000000002"),
        envelope.field_context("workers", "identity_ct", "00000000000001"),
        envelope.field_context("companies", "contact_ct", "00000000000001"),
    ],
    ids=["other row", "other column", "other table"],
)
def test_moved_value_fails(context: bytes) -> None:
    blob = envelope.seal(KEY, 1, "山田　太郎".encode(), CONTEXT)
    with pytest.raises(envelope.DecryptionError):
        envelope.open_sealed(KEY, blob, context)


@given(st.data())
def test_any_changed_byte_fails(data: st.DataObject) -> None:
    blob = bytearray(envelope.seal(KEY, 1, b"090-1234-5678", CONTEXT))
    index = data.draw(st.integers(min_value=0, max_value=len(blob) - 1))
    flip = data.draw(st.integers(min_value=1, max_value=255))
    blob[index] ^= flip
    with pytest.raises(envelope.DecryptionError):
        envelope.open_sealed(KEY, bytes(blob), CONTEXT)


def test_wrong_key_fails() -> None:
    blob = envelope.seal(KEY, 1, b"value", CONTEXT)
    with pytest.raises(envelope.DecryptionError):
        envelope.open_sealed(OTHER_KEY, blob, CONTEXT)


@pytest.mark.parametrize("blob", [b"", b"\x01", b"\x02" + bytes(40), bytes(16)])
def test_malformed_blob_fails(blob: bytes) -> None:
    with pytest.raises(envelope.DecryptionError):
        envelope.open_sealed(KEY, blob, CONTEXT)


def test_nonces_differ_per_seal() -> None:
    nonces = {envelope.seal(KEY, 1, b"same", CONTEXT)[5:17] for _ in range(2000)}
    assert len(nonces) == 2000


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> LocalKekProvider:
    keys_dir = tmp_path_factory.mktemp("keys")
    create_local_keyring(keys_dir)
    return LocalKekProvider(KeyringFile(keys_dir))


def test_data_key_wrap_round_trips(provider: LocalKekProvider) -> None:
    data_key = os.urandom(32)
    kek_id, wrapped = envelope.wrap_data_key(provider, data_key, "00000000000001", 1)
    assert kek_id == provider.active_kek_id()
    assert envelope.wrapped_kek_id(wrapped) == kek_id
    assert envelope.unwrap_data_key(provider, wrapped, "00000000000001", 1) == data_key


@pytest.mark.parametrize(
    ("worker_id", "version"), [("00000000000002", 1), ("00000000000001", 2)]
)
def test_wrapped_key_bound_to_worker(
    provider: LocalKekProvider, worker_id: str, version: int
) -> None:
    _, wrapped = envelope.wrap_data_key(provider, os.urandom(32), "00000000000001", 1)
    with pytest.raises(envelope.DecryptionError):
        envelope.unwrap_data_key(provider, wrapped, worker_id, version)


def test_decryption_error_is_opaque() -> None:
    blob = envelope.seal(KEY, 1, "秘密の住所".encode(), CONTEXT)
    with pytest.raises(envelope.DecryptionError) as caught:
        envelope.open_sealed(OTHER_KEY, blob, CONTEXT)
    assert str(caught.value) == "ciphertext could not be decrypted"


def test_context_rejects_nul() -> None:
    with pytest.raises(ValueError, match="NUL"):
        envelope.field_context("workers", "a\x00b", "1")


# Variation selectors (U+E0100, U+FE00) follow the kanji they modify.
NAME_PIECES = st.sampled_from(
    [
        "𠮷",
        "葛",
        "葛\U000e0100",
        "辻",
        "辻\ufe00",
        "髙",
        "ｶ",
        "か",
        "ア",
        "　",
        "ー",
        "A",
    ]
)


@given(
    name=st.lists(NAME_PIECES, min_size=1, max_size=20).map("".join),
    address=st.text(max_size=60),
)
def test_vault_round_trips_names(
    provider: LocalKekProvider, name: str, address: str
) -> None:
    vault = WorkerVault(provider)
    key_row, data_key = vault.new_key(
        "00000000000001", datetime(2026, 1, 1, tzinfo=UTC)
    )
    identity = {
        "name": name,
        "name_kana": name,
        "birth_date": date(1990, 1, 1),
        "gender": "female",
        "nationality": "JP",
        "photo": None,
    }
    contact = {
        "postal_code": "100-0001",
        "address": address,
        "phone": "0",
        "email": None,
    }
    for group, value in (("identity", identity), ("contact", contact)):
        blob = vault.seal_group("00000000000001", data_key, 1, group, value)
        opened = vault.open_group(
            "00000000000001", vault.data_key(key_row), group, blob
        )
        assert msgspec.to_builtins(opened) == msgspec.to_builtins(value)
