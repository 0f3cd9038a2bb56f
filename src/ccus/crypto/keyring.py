"""The local keyring: versioned keys held apart by purpose.

The embedded default keeps its keys in ``keys/keyring.json``, created by
``ccus keys init`` and readable by its owner only. Each key has an id, a
purpose and an algorithm; a purpose may hold several versions, and one of
them is active for new data. The service never creates a key on its own: a
missing keyring or a missing purpose stops it with an error naming the key.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

KEYRING_FORMAT = "ccus-keyring/1"
KEYRING_FILE = "keyring.json"

KEK = "key-encryption"
BLIND_INDEX = "blind-index"
TOKEN_SIGNING = "token-signing"  # noqa: S105 - a purpose name
AUDIT_CHECKPOINT = "audit-checkpoint"
PURPOSES = (KEK, BLIND_INDEX, TOKEN_SIGNING, AUDIT_CHECKPOINT)


class KeyringError(Exception):
    """The keyring is missing, unreadable or lacks a key the service needs."""


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One key version: raw bytes for symmetric keys, PEM for key pairs."""

    key_id: str
    purpose: str
    algorithm: str
    material: bytes


@dataclass(frozen=True, slots=True)
class Keyring:
    """Every key version by id, and the active id per purpose."""

    entries: dict[str, KeyEntry]
    active: dict[str, str]

    def active_entry(self, purpose: str) -> KeyEntry:
        return self.entries[self.active[purpose]]

    def kek(self, key_id: str) -> bytes:
        """Return the key-encryption key ``key_id``.

        Raises:
            KeyringError: the keyring contains no such key-encryption key.
        """
        entry = self.entries.get(key_id)
        if entry is None or entry.purpose != KEK:
            raise KeyringError(f"key-encryption key {key_id!r} is not in the keyring")
        return entry.material

    def audit_key(self) -> tuple[ed25519.Ed25519PrivateKey, str]:
        """Return the active audit checkpoint key and its id."""
        entry = self.active_entry(AUDIT_CHECKPOINT)
        key = serialization.load_pem_private_key(entry.material, password=None)
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise KeyringError(f"audit key {entry.key_id!r} is not an Ed25519 key")
        return key, entry.key_id

    def audit_public_keys(self) -> dict[str, ed25519.Ed25519PublicKey]:
        """Return the public half of every audit checkpoint key by id."""
        keys = {}
        for entry in self.entries.values():
            if entry.purpose == AUDIT_CHECKPOINT:
                key = serialization.load_pem_private_key(entry.material, password=None)
                if isinstance(key, ed25519.Ed25519PrivateKey):
                    keys[entry.key_id] = key.public_key()
        return keys

    def signing_key(self) -> tuple[str, ec.EllipticCurvePrivateKey]:
        entry = self.active_entry(TOKEN_SIGNING)
        key = serialization.load_pem_private_key(entry.material, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise KeyringError(f"token-signing key {entry.key_id!r} is not an EC key")
        return entry.key_id, key


def _new_entry(purpose: str, created: datetime) -> dict[str, str]:
    stamp = created.strftime("%Y%m%d%H%M%S")
    key_id = f"{purpose}-{stamp}-{secrets.token_hex(3)}"
    if purpose == TOKEN_SIGNING:
        private = ec.generate_private_key(ec.SECP256R1())
        algorithm, material = "ES256", _pem(private)
    elif purpose == AUDIT_CHECKPOINT:
        algorithm, material = "Ed25519", _pem(ed25519.Ed25519PrivateKey.generate())
    else:
        algorithm = "A256GCM" if purpose == KEK else "HMAC-SHA256"
        material = base64.b64encode(os.urandom(32)).decode()
    return {
        "id": key_id,
        "purpose": purpose,
        "algorithm": algorithm,
        "created_at": created.isoformat(),
        "material": material,
    }


def _pem(key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def create_local_keyring(keys_dir: Path, now: datetime | None = None) -> bool:
    """Create ``keys_dir/keyring.json`` with one key per purpose.

    Returns False and changes nothing when the keyring already exists. The
    file is created with mode 0600 so that no other user can read it.
    """
    path = keys_dir / KEYRING_FILE
    if path.exists():
        return False
    created = now or datetime.now(UTC)
    entries = [_new_entry(purpose, created) for purpose in PURPOSES]
    document = {
        "format": KEYRING_FORMAT,
        "keys": entries,
        "active": {entry["purpose"]: entry["id"] for entry in entries},
    }
    keys_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    return True


def load_keyring(keys_dir: Path, purposes: tuple[str, ...] = PURPOSES) -> Keyring:
    """Read the keyring and check that each of ``purposes`` has an active key.

    Raises:
        KeyringError: naming the missing file or key and how to provide it.
    """
    path = keys_dir / KEYRING_FILE
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyringError(
            f"keyring {path} is missing; run 'ccus keys init' for local "
            "development keys, or provide the production keyring there"
        ) from None
    except (OSError, ValueError) as error:
        raise KeyringError(
            f"keyring {path} is unreadable: {type(error).__name__}"
        ) from None
    if document.get("format") != KEYRING_FORMAT:
        raise KeyringError(f"keyring {path} is not in the {KEYRING_FORMAT} format")
    entries: dict[str, KeyEntry] = {}
    for raw in document.get("keys", []):
        material = raw["material"].encode()
        if raw["purpose"] in (KEK, BLIND_INDEX):
            material = base64.b64decode(material)
        entries[raw["id"]] = KeyEntry(
            raw["id"], raw["purpose"], raw["algorithm"], material
        )
    active = dict(document.get("active", {}))
    for purpose in purposes:
        key_id = active.get(purpose)
        if key_id is None or key_id not in entries:
            raise KeyringError(
                f"keyring {path} has no active {purpose!r} key; add one with "
                "'ccus keys init' on a new keyring or restore the production file"
            )
    return Keyring(entries=entries, active=active)


class KeyringFile:
    """The keyring file of a running process, read again when it changes.

    The file's modification time is checked at most once a second, so that
    a key added or retired by a ``ccus keys`` command reaches a running
    service without a restart.
    """

    CHECK_INTERVAL_SECONDS = 1.0

    def __init__(self, keys_dir: Path, purposes: tuple[str, ...] = PURPOSES) -> None:
        self.keys_dir = keys_dir
        self.path = keys_dir / KEYRING_FILE
        self.purposes = purposes
        self._keyring = load_keyring(keys_dir, purposes)
        self._mtime = self.path.stat().st_mtime_ns
        self._checked = time.monotonic()

    def current(self) -> Keyring:
        now = time.monotonic()
        if now - self._checked < self.CHECK_INTERVAL_SECONDS:
            return self._keyring
        self._checked = now
        mtime = self.path.stat().st_mtime_ns
        if mtime != self._mtime:
            self._keyring = load_keyring(self.keys_dir, self.purposes)
            self._mtime = mtime
        return self._keyring

    def refresh(self) -> Keyring:
        """Read the file now, whatever the last check found."""
        self._checked = 0.0
        self._mtime = -1
        return self.current()


@contextmanager
def _locked(keys_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the keyring while a command changes it."""
    fd = os.open(keys_dir / "keyring.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _read_document(keys_dir: Path) -> dict[str, Any]:
    load_keyring(keys_dir)
    document: dict[str, Any] = json.loads((keys_dir / KEYRING_FILE).read_text("utf-8"))
    return document


def _write_document(keys_dir: Path, document: dict[str, Any]) -> None:
    """Replace the keyring file atomically, keeping mode 0600."""
    path = keys_dir / KEYRING_FILE
    temporary = path.with_suffix(".json.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def add_local_kek(keys_dir: Path, now: datetime | None = None) -> str:
    """Add a new key-encryption key to the local keyring and make it active.

    Older KEKs stay in the file so that data keys wrapped by them still open
    until ``ccus keys rewrap`` has moved every one to the new KEK.
    """
    with _locked(keys_dir):
        document = _read_document(keys_dir)
        entry = _new_entry(KEK, now or datetime.now(UTC))
        document["keys"].append(entry)
        document["active"][KEK] = entry["id"]
        _write_document(keys_dir, document)
    return entry["id"]


def remove_local_kek(keys_dir: Path, kek_id: str) -> None:
    """Delete a key-encryption key from the local keyring.

    Raises:
        KeyringError: the KEK is unknown or still the active one.
    """
    with _locked(keys_dir):
        document = _read_document(keys_dir)
        if document["active"].get(KEK) == kek_id:
            raise KeyringError(
                f"key-encryption key {kek_id!r} is active; rotate to a new one with "
                "'ccus keys rotate-kek' before retiring it"
            )
        kept = [
            e
            for e in document["keys"]
            if not (e["id"] == kek_id and e["purpose"] == KEK)
        ]
        if len(kept) == len(document["keys"]):
            raise KeyringError(f"key-encryption key {kek_id!r} is not in the keyring")
        document["keys"] = kept
        _write_document(keys_dir, document)
