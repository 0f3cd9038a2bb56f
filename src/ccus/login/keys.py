"""Private JWK files of the login: the relying party's and the local provider's.

Each file contains one ES256 (P-256) private key as a JSON Web Key with a
``kid``. ``ccus keys init`` creates them with mode 0600, and the service
never creates them itself. A process reads each file when it first needs the
key, so that a service that serves no login does not need the files.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from ccus.crypto.keyring import KeyringError

LOGIN_CLIENT_KEY_FILE = "login-client.jwk"
LOCAL_IDP_KEY_FILE = "local-idp.jwk"
SIGNING_ALGORITHM = "ES256"


def create_signing_jwk(
    path: Path, kid_prefix: str, now: datetime | None = None
) -> bool:
    """Create ``path`` with a new ES256 private JWK, readable by its owner only.

    Returns False and changes nothing when the file exists.
    """
    if path.exists():
        return False
    created = now or datetime.now(UTC)
    kid = f"{kid_prefix}-{created:%Y%m%d%H%M%S}-{secrets.token_hex(3)}"
    key = ECKey.generate_key("P-256", parameters={"kid": kid, "alg": SIGNING_ALGORITHM})
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(key.as_dict(private=True), handle, indent=2)
        handle.write("\n")
    return True


class SigningKeyFile:
    """The ES256 private key of one JWK file, read on first use.

    Raises ``KeyringError`` naming the file and the fix when the file is
    missing or contains no P-256 private key with a ``kid``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._key: ECKey | None = None

    def key(self) -> ECKey:
        """Return the private key, reading the file the first time."""
        with self._lock:
            if self._key is None:
                self._key = _read_key(self.path)
            return self._key

    @property
    def kid(self) -> str:
        return str(self.key().kid)

    def public_jwks(self) -> dict[str, Any]:
        """Return the public key as a JWK Set, for verifiers."""
        public = self.key().as_dict(private=False)
        public.update(kid=self.kid, use="sig", alg=SIGNING_ALGORITHM)
        return {"keys": [public]}


def _read_key(path: Path) -> ECKey:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyringError(
            f"key file {path} is missing; run 'ccus keys init' for local "
            "development keys, or provide the production key there"
        ) from None
    except (OSError, ValueError) as error:
        raise KeyringError(
            f"key file {path} is unreadable: {type(error).__name__}"
        ) from None
    try:
        key = ECKey.import_key(document)
    except (JoseError, ValueError, TypeError):
        raise KeyringError(
            f"key file {path} does not contain an EC JSON Web Key"
        ) from None
    if key.get("crv") != "P-256" or not key.is_private or not key.kid:
        raise KeyringError(
            f"key file {path} must contain a P-256 private key with a kid, for ES256"
        )
    return key
