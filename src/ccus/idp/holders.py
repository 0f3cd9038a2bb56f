"""The local provider's card holders: people with the claims a card would give.

The file ``local-idp-holders.json`` in the data directory contains them,
with mode 0600 because they are personal data (fictional in the demo).
``sub`` is a random id, stable for as long as the file is kept.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

HOLDERS_FILE = "local-idp-holders.json"
HOLDERS_FORMAT = "ccus-local-idp-holders/1"
SUB_PATTERN = re.compile(r"[0-9a-f]{32}")


class HoldersError(Exception):
    """The holders file is missing or malformed; the message names the fix."""


@dataclass(frozen=True, slots=True)
class CardHolder:
    """One demo card holder: a label, what they are, and the card's claims."""

    sub: str
    label: str
    description: str
    name: str
    birthdate: str
    gender: str
    address: str
    postal_code: str | None = None


def new_subject() -> str:
    return secrets.token_hex(16)


def holders_path(data_dir: Path) -> Path:
    return data_dir / HOLDERS_FILE


def write_holders(path: Path, holders: list[CardHolder]) -> None:
    """Replace the holders file with ``holders``, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"format": HOLDERS_FORMAT, "holders": [asdict(h) for h in holders]}
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    os.replace(temporary, path)


def read_holders(path: Path) -> list[CardHolder]:
    """Read the holders file.

    Raises:
        HoldersError: the file is missing or not in the expected format.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HoldersError(
            f"the card holders file {path} is missing; run 'ccus demo load' to "
            "write the demo card holders"
        ) from None
    except (OSError, ValueError) as error:
        raise HoldersError(
            f"the card holders file {path} is unreadable: {type(error).__name__}"
        ) from None
    if not isinstance(document, dict) or document.get("format") != HOLDERS_FORMAT:
        raise HoldersError(
            f"the card holders file {path} is not in the {HOLDERS_FORMAT} format"
        )
    try:
        return [_holder(raw) for raw in document["holders"]]
    except (KeyError, TypeError, ValueError):
        raise HoldersError(
            f"the card holders file {path} has an invalid holder; run 'ccus demo "
            "load' on an empty database to write it again"
        ) from None


def _holder(raw: dict[str, Any]) -> CardHolder:
    holder = CardHolder(**raw)
    if not SUB_PATTERN.fullmatch(holder.sub):
        raise ValueError("sub is not 32 hex digits")
    date.fromisoformat(holder.birthdate)
    return holder
