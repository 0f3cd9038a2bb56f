"""Key-encryption key providers: where the keys that wrap data keys live.

A provider wraps and unwraps data keys under a key-encryption key (KEK)
named by id, and never hands the KEK itself to the caller, so that a
hardware security module can hold it. The local provider keeps KEKs in the
keyring file; the PKCS#11 provider keeps them in a token.
"""

from __future__ import annotations

import os
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ccus.crypto.envelope import NONCE_BYTES, DecryptionError
from ccus.crypto.keyring import KEK, Keyring, KeyringError, KeyringFile


class KekProvider(Protocol):
    """Wrap and unwrap data keys under versioned key-encryption keys."""

    def active_kek_id(self) -> str:
        """Return the id of the KEK that wraps new data keys."""
        ...

    def kek_ids(self) -> list[str]:
        """Return the ids of every KEK the provider holds, retired ones too."""
        ...

    def wrap(self, kek_id: str, data_key: bytes, context: bytes) -> bytes:
        """Encrypt ``data_key`` under KEK ``kek_id``; return nonce and ciphertext.

        Raises:
            KeyringError: the provider contains no KEK ``kek_id``.
        """
        ...

    def unwrap(self, kek_id: str, wrapped: bytes, context: bytes) -> bytes:
        """Decrypt what :meth:`wrap` returned.

        Raises:
            KeyringError: the provider contains no KEK ``kek_id``.
            DecryptionError: the value does not open, whatever the cause.
        """
        ...


class LocalKekProvider:
    """KEKs from the keyring file, with AES-256-GCM in this process.

    The keyring file is read again when it changes on disk, so that a KEK
    added by ``ccus keys rotate-kek`` reaches a running service.
    """

    def __init__(self, source: KeyringFile) -> None:
        self._source = source
        self._ciphers: dict[bytes, AESGCM] = {}

    def _cipher(self, kek_id: str) -> AESGCM:
        # Keyed by the KEK bytes, so a keyring reloaded with other material
        # under the same id never reuses a stale cipher.
        kek = self._entries().kek(kek_id)
        cipher = self._ciphers.get(kek)
        if cipher is None:
            cipher = self._ciphers[kek] = AESGCM(kek)
        return cipher

    def _entries(self) -> Keyring:
        return self._source.current()

    def active_kek_id(self) -> str:
        return self._entries().active[KEK]

    def kek_ids(self) -> list[str]:
        keyring = self._entries()
        return [key_id for key_id, e in keyring.entries.items() if e.purpose == KEK]

    def wrap(self, kek_id: str, data_key: bytes, context: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._cipher(kek_id).encrypt(nonce, data_key, context)

    def unwrap(self, kek_id: str, wrapped: bytes, context: bytes) -> bytes:
        cipher = self._cipher(kek_id)
        nonce, ciphertext = wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]
        try:
            return cipher.decrypt(nonce, ciphertext, context)
        except (InvalidTag, ValueError):
            raise DecryptionError() from None


__all__ = ["KekProvider", "KeyringError", "LocalKekProvider"]
