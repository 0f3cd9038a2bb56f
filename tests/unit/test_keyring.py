"""The local keyring file: creation, permissions and missing keys."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from ccus.crypto.keyring import (
    KEK,
    PURPOSES,
    KeyringError,
    create_local_keyring,
    load_keyring,
)


def test_create_sets_owner_only_mode(tmp_path: Path) -> None:
    assert create_local_keyring(tmp_path) is True
    mode = stat.S_IMODE((tmp_path / "keyring.json").stat().st_mode)
    assert mode == 0o600


def test_create_keeps_existing_keyring(tmp_path: Path) -> None:
    create_local_keyring(tmp_path)
    before = (tmp_path / "keyring.json").read_bytes()
    assert create_local_keyring(tmp_path) is False
    assert (tmp_path / "keyring.json").read_bytes() == before


def test_keys_are_separate_per_purpose(tmp_path: Path) -> None:
    create_local_keyring(tmp_path)
    keyring = load_keyring(tmp_path)
    materials = [keyring.active_entry(purpose).material for purpose in PURPOSES]
    assert len(set(materials)) == len(PURPOSES)
    assert len(keyring.active_entry(KEK).material) == 32


def test_missing_keyring_names_file(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="keyring.json is missing"):
        load_keyring(tmp_path)


def test_missing_purpose_names_key(tmp_path: Path) -> None:
    create_local_keyring(tmp_path)
    path = tmp_path / "keyring.json"
    document = json.loads(path.read_text())
    del document["active"]["token-signing"]
    path.write_text(json.dumps(document))
    with pytest.raises(KeyringError, match="'token-signing'"):
        load_keyring(tmp_path)


def test_unknown_kek_raises(tmp_path: Path) -> None:
    create_local_keyring(tmp_path)
    with pytest.raises(KeyringError, match="'kek-none'"):
        load_keyring(tmp_path).kek("kek-none")
