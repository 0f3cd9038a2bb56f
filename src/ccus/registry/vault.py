"""Seal and open a worker's field groups under the worker's data key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ccus.crypto import envelope
from ccus.crypto.providers import KekProvider
from ccus.registry.groups import LIST_GROUPS, SEALED_GROUPS, Qualification
from ccus.registry.models import Worker, WorkerKey

TABLE = "workers"
ENCRYPTED_GROUPS = (*SEALED_GROUPS, *LIST_GROUPS)

_decoders: dict[str, msgspec.json.Decoder[Any]] = {
    name: msgspec.json.Decoder(shape) for name, shape in SEALED_GROUPS.items()
}
_decoders["qualifications"] = msgspec.json.Decoder(list[Qualification])
_encoder = msgspec.json.Encoder()


def column_of(group: str) -> str:
    return f"{group}_ct"


class WorkerVault:
    """Envelope encryption of worker records under a KEK provider."""

    def __init__(self, provider: KekProvider) -> None:
        self.provider = provider

    def new_key(
        self, worker_id: str, now: datetime, version: int = 1
    ) -> tuple[WorkerKey, bytes]:
        """Create a data key for ``worker_id``; return its row and the key."""
        data_key = envelope.new_data_key()
        kek_id, wrapped = envelope.wrap_data_key(
            self.provider, data_key, worker_id, version
        )
        row = WorkerKey(
            worker_id=worker_id,
            version=version,
            kek_id=kek_id,
            wrapped_key=wrapped,
            created_at=now,
        )
        return row, data_key

    def data_key(self, key_row: WorkerKey) -> bytes:
        """Unwrap a worker's data key.

        Raises:
            envelope.DecryptionError: the wrapped key does not open.
        """
        return envelope.unwrap_data_key(
            self.provider, key_row.wrapped_key, key_row.worker_id, key_row.version
        )

    def seal_group(
        self, worker_id: str, data_key: bytes, version: int, group: str, value: Any
    ) -> bytes:
        """Validate ``value`` against the group's shape and seal it."""
        decoder = _decoders[group]
        # Round-trip through the typed decoder so that a malformed value is
        # rejected before it is stored.
        plaintext = _encoder.encode(decoder.decode(_encoder.encode(value)))
        context = envelope.field_context(TABLE, column_of(group), worker_id)
        return envelope.seal(data_key, version, plaintext, context)

    def open_group(
        self, worker_id: str, data_key: bytes | AESGCM, group: str, blob: bytes
    ) -> Any:
        """Open one sealed group and decode it to its typed shape.

        Raises:
            envelope.DecryptionError: the value does not open.
        """
        context = envelope.field_context(TABLE, column_of(group), worker_id)
        return _decoders[group].decode(envelope.open_sealed(data_key, blob, context))

    def seal_worker(
        self, worker_id: str, groups: dict[str, Any], now: datetime
    ) -> tuple[Worker, WorkerKey]:
        """Build the encrypted worker row and its key row from plain groups."""
        missing = [group for group in ENCRYPTED_GROUPS if group not in groups]
        if missing:
            raise ValueError(f"worker record lacks field groups: {missing}")
        key_row, data_key = self.new_key(worker_id, now)
        columns = {
            column_of(group): self.seal_group(
                worker_id, data_key, key_row.version, group, groups[group]
            )
            for group in ENCRYPTED_GROUPS
        }
        worker = Worker(worker_id=worker_id, created_at=now, updated_at=now, **columns)
        return worker, key_row
