"""The relying party's view of its OpenID Provider, fetched over HTTP.

Discovery (OpenID Connect Discovery 1.0) names the provider's endpoints, and
its JWKS contains the keys that sign ID tokens. Both are fetched with httpx and
cached. A key id that the cached JWKS lacks makes the key set fetch again, so that
a provider's key rotation is picked up. This happens at most once per
``MIN_REFETCH_SECONDS``, so that forged key ids cannot turn the service into
a request amplifier against the provider.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import httpx
from authlib.common.security import (  # type: ignore[import-untyped]
    is_secure_transport,
)
from joserfc.errors import JoseError
from joserfc.jwk import Key, KeySet, KeySetSerialization

logger = logging.getLogger(__name__)

DISCOVERY_PATH = "/.well-known/openid-configuration"
HTTP_TIMEOUT_SECONDS = 10.0
# Discovery documents and key sets are a few kilobytes.
MAX_DOCUMENT_BYTES = 256 * 1024
METADATA_MAX_AGE_SECONDS = 3600
KEYS_MAX_AGE_SECONDS = 3600
MIN_REFETCH_SECONDS = 60.0


class ProviderUnavailable(Exception):
    """Discovery or the key set could not be fetched or used.

    The message names the document and the failure, never the response body.
    """


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    """The parts of the provider's discovery document that the login uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    id_token_signing_alg_values_supported: tuple[str, ...]
    code_challenge_methods_supported: tuple[str, ...]
    token_endpoint_auth_methods_supported: tuple[str, ...]
    authorization_response_iss_parameter_supported: bool


def fetch_json(url: str, document_name: str) -> Any:
    """GET ``url`` and return its JSON body, following no redirect.

    Raises:
        ProviderUnavailable: the request failed, the status was not 200, or
            the body is larger than ``MAX_DOCUMENT_BYTES`` or not JSON.
    """
    try:
        with (
            httpx.Client(timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=False) as http,
            http.stream("GET", url, headers={"Accept": "application/json"}) as response,
        ):
            if response.status_code != 200:
                raise ProviderUnavailable(
                    f"the {document_name} at {url} returned HTTP {response.status_code}"
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise ProviderUnavailable(
                        f"the {document_name} at {url} is larger than "
                        f"{MAX_DOCUMENT_BYTES} bytes"
                    )
    except httpx.HTTPError as error:
        raise ProviderUnavailable(
            f"fetching the {document_name} at {url} failed: {type(error).__name__}"
        ) from None
    try:
        return json.loads(bytes(body))
    except ValueError:
        raise ProviderUnavailable(f"the {document_name} at {url} is not JSON") from None


def parse_metadata(document: Any, issuer: str) -> ProviderMetadata:
    """Check a discovery document and keep what the login uses.

    OpenID Connect Discovery 1.0 section 4.3 requires its ``issuer`` to be
    exactly the issuer it was fetched for, so a document served for another
    provider is rejected.

    Raises:
        ProviderUnavailable: a member is missing or of the wrong type, or the
            issuer differs.
    """
    if not isinstance(document, dict):
        raise ProviderUnavailable("the discovery document is not a JSON object")
    if document.get("issuer") != issuer:
        raise ProviderUnavailable(
            "the discovery document names another issuer than CCUS_LOGIN_ISSUER; "
            "set CCUS_LOGIN_ISSUER to the provider's exact issuer URL"
        )
    urls = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str) or not is_secure_transport(value):
            raise ProviderUnavailable(
                f"the discovery document's {name} is not an https URL (http is "
                "accepted on loopback addresses only)"
            )
        urls[name] = value
    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=urls["authorization_endpoint"],
        token_endpoint=urls["token_endpoint"],
        jwks_uri=urls["jwks_uri"],
        id_token_signing_alg_values_supported=_strings(
            document, "id_token_signing_alg_values_supported"
        ),
        code_challenge_methods_supported=_strings(
            document, "code_challenge_methods_supported"
        ),
        token_endpoint_auth_methods_supported=_strings(
            document, "token_endpoint_auth_methods_supported"
        ),
        authorization_response_iss_parameter_supported=document.get(
            "authorization_response_iss_parameter_supported"
        )
        is True,
    )


def _strings(document: dict[str, Any], name: str) -> tuple[str, ...]:
    value = document.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProviderUnavailable(
            f"the discovery document's {name} is not a string list"
        )
    return tuple(value)


class RemoteKeySet:
    """A JWK Set fetched from a URL and cached, for verifying signatures.

    ``key(kid)`` returns the key with that id. An unknown id fetches the set
    again unless the last fetch was less than ``min_refetch_seconds`` ago.
    Timing uses ``monotonic`` (``time.monotonic`` unless a test passes its own),
    not the service clock, which tests fix to one instant.
    """

    def __init__(
        self,
        url: Callable[[], str],
        document_name: str,
        min_refetch_seconds: float = MIN_REFETCH_SECONDS,
        max_age_seconds: float = KEYS_MAX_AGE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._document_name = document_name
        self._monotonic = monotonic
        self._min_refetch = min_refetch_seconds
        self._max_age = max_age_seconds
        self._lock = threading.Lock()
        self._keys: KeySet | None = None
        self._fetched_at = -float("inf")
        self.fetches = 0

    def key(self, kid: str) -> Key | None:
        """Return the key named ``kid``, or None if the provider has none.

        Raises:
            ProviderUnavailable: the first fetch failed, so no key is known.
        """
        with self._lock:
            now = self._monotonic()
            if self._keys is None or now - self._fetched_at >= self._max_age:
                self._refresh(now)
            found = self._find(kid)
            if found is None and now - self._fetched_at >= self._min_refetch:
                self._refresh(now)
                found = self._find(kid)
            return found

    def document(self) -> dict[str, Any]:
        """Return the cached set as a JWK Set document, fetching it if needed."""
        with self._lock:
            now = self._monotonic()
            if self._keys is None or now - self._fetched_at >= self._max_age:
                self._refresh(now)
            assert self._keys is not None
            return cast(dict[str, Any], self._keys.as_dict(private=False))

    def _find(self, kid: str) -> Key | None:
        if self._keys is None:
            return None
        for key in self._keys.keys:
            if key.kid == kid:
                return key
        return None

    def _refresh(self, now: float) -> None:
        """Fetch the set; on failure keep the cached one if there is one."""
        self._fetched_at = now
        self.fetches += 1
        url = self._url()
        try:
            document = fetch_json(url, self._document_name)
            keys = KeySet.import_key_set(cast(KeySetSerialization, document))
        except (JoseError, ValueError, TypeError, KeyError):
            error = ProviderUnavailable(
                f"the {self._document_name} at {url} is not a JWK Set"
            )
            self._keep_or_raise(error)
            return
        except ProviderUnavailable as error:
            self._keep_or_raise(error)
            return
        self._keys = keys

    def _keep_or_raise(self, error: ProviderUnavailable) -> None:
        logger.warning("key set fetch failed", extra={"reason": str(error)})
        if self._keys is None:
            raise error


class ProviderDirectory:
    """The provider's discovery document and ID token keys, cached."""

    def __init__(
        self, issuer: str, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.issuer = issuer
        self._lock = threading.Lock()
        self._metadata: ProviderMetadata | None = None
        self._fetched_at = -float("inf")
        self._monotonic = monotonic
        self.keys = RemoteKeySet(
            lambda: self.metadata().jwks_uri, "provider's JWKS", monotonic=monotonic
        )

    def metadata(self) -> ProviderMetadata:
        """Return the discovery document, fetched at most once an hour.

        Raises:
            ProviderUnavailable: the document could not be fetched or is invalid.
        """
        with self._lock:
            now = self._monotonic()
            if (
                self._metadata is None
                or now - self._fetched_at >= METADATA_MAX_AGE_SECONDS
            ):
                if not is_secure_transport(self.issuer):
                    raise ProviderUnavailable(
                        "CCUS_LOGIN_ISSUER is not an https URL (http is accepted "
                        "on loopback addresses only); set it to the provider's "
                        "https issuer"
                    )
                url = self.issuer.rstrip("/") + DISCOVERY_PATH
                document = fetch_json(url, "discovery document")
                self._metadata = parse_metadata(document, self.issuer)
                self._fetched_at = now
            return self._metadata
