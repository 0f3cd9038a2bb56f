"""The client registry: registration rules, lookup and disabling.

A client is one of two sorts. A machine client acts as a device or a
regulator and uses the client credentials grant. A client for people (the
contractor software a person logs in to) uses the authorization code grant,
and optionally refresh tokens, with exact redirect URIs. A client for people
may be public (an app on a phone or a PC, which cannot keep a secret): it
then authenticates with nothing, and PKCE alone binds its codes.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import KeySet, KeySetSerialization, RSAKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from ccus.auth.scopes import scopes_for_kind
from ccus.ids import is_id14
from ccus.oauth.client_secrets import check_secret, generate_secret, hash_secret
from ccus.oauth.models import OAuthClient
from ccus.sites.models import Site

CONFIDENTIAL = "confidential"
PUBLIC = "public"
PRIVATE_KEY_JWT = "private_key_jwt"
CLIENT_SECRET_BASIC = "client_secret_basic"  # noqa: S105 - a method name
# The methods a confidential client may register, preferred first.
CONFIDENTIAL_AUTH_METHODS = (PRIVATE_KEY_JWT, CLIENT_SECRET_BASIC)
NO_AUTHENTICATION = "none"
CLIENT_CREDENTIALS = "client_credentials"
AUTHORIZATION_CODE = "authorization_code"
REFRESH_TOKEN = "refresh_token"  # noqa: S105 - a grant type name
GRANT_TYPES = (AUTHORIZATION_CODE, REFRESH_TOKEN, CLIENT_CREDENTIALS)
DEVICE = "device"
REGULATOR = "regulator"
ACTS_AS = (DEVICE, REGULATOR)
# The actor kinds a person may act as through a client for people.
PERSON_KINDS = ("worker", "staff")
MAX_REDIRECT_URIS = 10
MAX_REDIRECT_URI_LENGTH = 500
# RFC 8252 section 8.3 advises loopback IP literals over "localhost".
LOOPBACK_HOSTS = ("127.0.0.1", "::1")
HOST_NAME = re.compile(r"[a-z0-9.-]+|[0-9a-f:]+")
# Signing algorithms of private_key_jwt assertions, with the key each needs.
# NOTE: RFC 9864 deprecates "EdDSA" in favour of "Ed25519", and joserfc 1.8
# emits a SecurityWarning each time it verifies an EdDSA signature.
ASSERTION_ALGORITHMS = {"ES256": "EC", "EdDSA": "OKP", "PS256": "RSA"}
KEY_CURVES = {"EC": "P-256", "OKP": "Ed25519"}
MIN_RSA_BITS = 2048
MAX_CLIENT_KEYS = 10
MAX_NAME_LENGTH = 200
PRIVATE_KEY_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


class ClientError(ValueError):
    """A client registration or change is invalid. The message names the fix."""


@dataclass(frozen=True, slots=True)
class RegisteredClient:
    """A registered client, loaded from its row.

    The ``get_*`` and ``check_*`` methods are the client interface that
    authlib's grants and endpoints call (``authlib.oauth2.rfc6749.ClientMixin``).
    """

    client_id: str
    name: str
    kind: str
    token_endpoint_auth_method: str
    secret_hash: str | None
    jwks: dict[str, Any] | None
    redirect_uris: tuple[str, ...]
    grant_types: tuple[str, ...]
    scopes: tuple[str, ...]
    acts_as: str | None
    site_id: str | None
    created_at: datetime
    disabled_at: datetime | None

    @classmethod
    def from_row(cls, row: OAuthClient) -> RegisteredClient:
        return cls(
            client_id=row.client_id,
            name=row.name,
            kind=row.kind,
            token_endpoint_auth_method=row.token_endpoint_auth_method,
            secret_hash=row.secret_hash,
            jwks=row.jwks,
            redirect_uris=tuple(row.redirect_uris),
            grant_types=tuple(row.grant_types),
            scopes=tuple(row.scopes),
            acts_as=row.acts_as,
            site_id=row.site_id,
            created_at=row.created_at,
            disabled_at=row.disabled_at,
        )

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None

    def describe(self) -> dict[str, Any]:
        """Return the client's registration as JSON values, without the secret."""
        return {
            "client_id": self.client_id,
            "name": self.name,
            "kind": self.kind,
            "token_endpoint_auth_method": self.token_endpoint_auth_method,
            "jwks": self.jwks,
            "redirect_uris": list(self.redirect_uris),
            "grant_types": list(self.grant_types),
            "scopes": list(self.scopes),
            "acts_as": self.acts_as,
            "site_id": self.site_id,
            "created_at": self.created_at.isoformat(),
            "disabled_at": (self.disabled_at.isoformat() if self.disabled_at else None),
        }

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        # With several URIs registered, the request must name one (RFC 6749
        # section 3.1.2.3).
        return self.redirect_uris[0] if len(self.redirect_uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        requested = (scope or "").split()
        return " ".join(name for name in requested if name in self.scopes)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact string matching, as RFC 9700 section 2.1 requires.
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        if self.secret_hash is None:
            return False
        return check_secret(client_secret, self.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # One method for every endpoint: token, revocation and introspection.
        return method == self.token_endpoint_auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and AUTHORIZATION_CODE in self.grant_types

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


@dataclass(frozen=True, slots=True)
class ClientSpec:
    """The registration an administrator requests for a new client.

    ``acts_as`` names the actor of a machine client (``device`` or
    ``regulator``); None registers a client for people, which needs
    ``redirect_uris``. ``auth_method`` ``none`` makes a public client.
    ``scopes`` of None means every scope open to the client's actors.
    """

    name: str
    acts_as: str | None
    site_id: str | None
    auth_method: str
    jwks: Any = None
    scopes: tuple[str, ...] | None = None
    redirect_uris: tuple[str, ...] = ()
    refresh_tokens: bool = True


def register_client(
    session: Session, spec: ClientSpec, now: datetime
) -> tuple[RegisteredClient, str | None]:
    """Add a client and return it with its secret, which is shown only this once.

    The secret is None for private_key_jwt and public clients. The caller
    commits.

    Raises:
        ClientError: the spec is invalid; the message names the fix.
    """
    name = spec.name.strip()
    if not 0 < len(name) <= MAX_NAME_LENGTH:
        raise ClientError(f"the client name must be 1 to {MAX_NAME_LENGTH} characters")
    _check_acting(session, spec)
    scopes = _checked_scopes(spec.acts_as, spec.scopes)
    methods: tuple[str, ...] = CONFIDENTIAL_AUTH_METHODS
    if spec.acts_as is None:
        methods = (*CONFIDENTIAL_AUTH_METHODS, NO_AUTHENTICATION)
    if spec.auth_method not in methods:
        raise ClientError(
            f"token endpoint auth method {spec.auth_method!r} is not available "
            f"to this client; choose {' or '.join(methods)}"
        )
    secret: str | None = None
    jwks: dict[str, Any] | None = None
    if spec.auth_method == PRIVATE_KEY_JWT:
        if spec.jwks is None:
            raise ClientError(
                "private_key_jwt needs the client's public keys as a JWK Set"
            )
        jwks = validate_jwks(spec.jwks)
    elif spec.jwks is not None:
        raise ClientError("a JWK Set is used only with private_key_jwt")
    elif spec.auth_method == CLIENT_SECRET_BASIC:
        secret = generate_secret()
    if spec.acts_as is not None:
        grant_types = [CLIENT_CREDENTIALS]
    else:
        grant_types = [AUTHORIZATION_CODE]
        if spec.refresh_tokens:
            grant_types.append(REFRESH_TOKEN)
    row = OAuthClient(
        client_id=secrets.token_hex(16),
        name=name,
        kind=PUBLIC if spec.auth_method == NO_AUTHENTICATION else CONFIDENTIAL,
        token_endpoint_auth_method=spec.auth_method,
        secret_hash=hash_secret(secret) if secret is not None else None,
        jwks=jwks,
        redirect_uris=list(_checked_redirect_uris(spec)),
        grant_types=grant_types,
        scopes=list(scopes),
        acts_as=spec.acts_as,
        site_id=spec.site_id,
        created_at=now,
        disabled_at=None,
    )
    session.add(row)
    session.flush()
    return RegisteredClient.from_row(row), secret


def validate_redirect_uri(uri: str) -> str:
    """Return ``uri`` if a client may register it as a redirect URI.

    Allowed are https URIs, http URIs on a loopback host for apps on the
    person's own computer (RFC 8252 section 7.3), and private-use schemes in
    reverse domain form for mobile apps (RFC 8252 section 7.1). Scheme and
    host must be lower case, since requests must match the registered
    string exactly; userinfo and fragments are refused (RFC 6749 section
    3.1.2).

    Raises:
        ClientError: naming what is wrong with the URI.
    """
    if not 0 < len(uri) <= MAX_REDIRECT_URI_LENGTH or not uri.isprintable():
        raise ClientError(
            f"a redirect URI must be 1 to {MAX_REDIRECT_URI_LENGTH} printable "
            "characters"
        )
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018 - parsing the port checks it
    except ValueError:
        raise ClientError("a redirect URI must be an absolute URI") from None
    # urlsplit lower-cases the scheme, so the check reads the string itself.
    scheme = uri.split(":", 1)[0]
    if not parts.scheme or scheme != scheme.lower():
        raise ClientError("a redirect URI needs a lower-case scheme, such as https")
    if parts.fragment or "#" in uri:
        raise ClientError("a redirect URI must not contain a fragment (#...)")
    if "@" in parts.netloc:
        raise ClientError("a redirect URI must not contain userinfo (user@host)")
    if parts.scheme in ("https", "http"):
        if not parts.hostname or parts.netloc != parts.netloc.lower():
            raise ClientError("a redirect URI needs a lower-case host name")
        if not HOST_NAME.fullmatch(parts.hostname):
            raise ClientError(
                "a redirect URI's host must be a name of letters, digits, dots "
                "and hyphens, or an IP address; wildcards are not matched"
            )
        if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
            raise ClientError(
                "an http redirect URI must be on a loopback address (127.0.0.1 "
                "or [::1]); use https for any other host"
            )
        return uri
    if "." not in parts.scheme:
        raise ClientError(
            "a redirect URI must use https, http on a loopback host, or a "
            "private-use scheme in reverse domain form such as com.example.app"
        )
    return uri


def _checked_redirect_uris(spec: ClientSpec) -> tuple[str, ...]:
    if spec.acts_as is not None:
        if spec.redirect_uris:
            raise ClientError(
                "a device or regulator client uses no redirect URIs; register "
                "them only for a client for people"
            )
        return ()
    if not 0 < len(spec.redirect_uris) <= MAX_REDIRECT_URIS:
        raise ClientError(
            f"a client for people needs 1 to {MAX_REDIRECT_URIS} redirect URIs"
        )
    uris = tuple(validate_redirect_uri(uri) for uri in spec.redirect_uris)
    if len(set(uris)) != len(uris):
        raise ClientError("a redirect URI is listed twice")
    return uris


def find_client(session: Session, client_id: str) -> RegisteredClient | None:
    """Return the client ``client_id``, enabled or not, or None if unknown."""
    row = session.get(OAuthClient, client_id)
    return RegisteredClient.from_row(row) if row is not None else None


def list_clients(session: Session) -> list[RegisteredClient]:
    """Return every registered client, oldest first."""
    rows = session.scalars(
        select(OAuthClient).order_by(OAuthClient.created_at, OAuthClient.client_id)
    )
    return [RegisteredClient.from_row(row) for row in rows]


def disable_client(session: Session, client_id: str, now: datetime) -> RegisteredClient:
    """Stop ``client_id`` from authenticating. The caller commits.

    Tokens issued before stay valid until they expire.

    Raises:
        ClientError: no such client, or it is already disabled.
    """
    row = session.get(OAuthClient, client_id)
    if row is None:
        raise ClientError(f"no client {client_id} is registered")
    if row.disabled_at is not None:
        raise ClientError(
            f"client {client_id} was already disabled at {row.disabled_at.isoformat()}"
        )
    row.disabled_at = now
    session.flush()
    return RegisteredClient.from_row(row)


def validate_jwks(jwks: Any) -> dict[str, Any]:
    """Return ``jwks`` if it is a JWK Set of public signing keys a client may use.

    Each key needs a unique ``kid`` and must be an EC P-256, Ed25519 or RSA
    (2048 bits or more) public key.

    Raises:
        ClientError: naming the first key that fails and why.
    """
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise ClientError('the JWK Set must be a JSON object with a "keys" array')
    keys: list[Any] = jwks["keys"]
    if not 0 < len(keys) <= MAX_CLIENT_KEYS:
        raise ClientError(f"the JWK Set must contain 1 to {MAX_CLIENT_KEYS} keys")
    seen: set[str] = set()
    for index, key in enumerate(keys):
        _check_key(index, key, seen)
    try:
        key_set = KeySet.import_key_set(cast(KeySetSerialization, jwks))
    except (JoseError, ValueError, TypeError) as error:
        raise ClientError(f"the JWK Set does not import: {error}") from None
    for index, imported in enumerate(key_set.keys):
        if isinstance(imported, RSAKey) and _rsa_bits(imported) < MIN_RSA_BITS:
            raise ClientError(
                f"key {index} is an RSA key shorter than {MIN_RSA_BITS} bits"
            )
    return {"keys": [dict(key) for key in keys]}


def _check_key(index: int, key: Any, seen: set[str]) -> None:
    if not isinstance(key, dict):
        raise ClientError(f"key {index} of the JWK Set is not a JSON object")
    private = PRIVATE_KEY_MEMBERS & key.keys()
    if private:
        raise ClientError(
            f"key {index} contains private or symmetric key members "
            f"({', '.join(sorted(private))}); register the public key only"
        )
    key_type = key.get("kty")
    if key_type not in ASSERTION_ALGORITHMS.values():
        raise ClientError(f"key {index} must have kty EC, OKP or RSA")
    curve = KEY_CURVES.get(str(key_type))
    if curve is not None and key.get("crv") != curve:
        raise ClientError(f"key {index} of type {key_type} must use the {curve} curve")
    kid = key.get("kid")
    if not isinstance(kid, str) or not kid:
        raise ClientError(f"key {index} needs a kid (key id)")
    if kid in seen:
        raise ClientError(f"kid {kid!r} appears twice in the JWK Set")
    seen.add(kid)
    if key.get("use", "sig") != "sig":
        raise ClientError(f"key {index} must have use sig or no use member")
    algorithm = key.get("alg")
    if algorithm is not None and ASSERTION_ALGORITHMS.get(algorithm) != key_type:
        raise ClientError(
            f"key {index} names alg {algorithm!r}; a {key_type} key may name only "
            + " or ".join(a for a, t in ASSERTION_ALGORITHMS.items() if t == key_type)
        )


def _rsa_bits(key: RSAKey) -> int:
    return int(key.public_key.key_size)


def _check_acting(session: Session, spec: ClientSpec) -> None:
    if spec.acts_as is None:
        if spec.site_id is not None:
            raise ClientError(
                "only a device client is bound to a site; a client for people "
                "acts for whoever logs in"
            )
        return
    if spec.acts_as == DEVICE:
        if spec.site_id is None or not is_id14(spec.site_id):
            raise ClientError("a device client needs a site id of exactly 14 digits")
        if session.get(Site, spec.site_id) is None:
            raise ClientError(f"no site {spec.site_id} is registered")
        return
    if spec.acts_as == REGULATOR:
        if spec.site_id is not None:
            raise ClientError("a regulator client is not bound to a site")
        return
    raise ClientError(f"a machine client acts as one of: {', '.join(ACTS_AS)}")


def scopes_open_to(acts_as: str | None) -> tuple[str, ...]:
    """Return the scopes a client may register: its actor's, or people's."""
    kinds = PERSON_KINDS if acts_as is None else (acts_as,)
    return tuple(sorted(set().union(*(scopes_for_kind(kind) for kind in kinds))))


def _checked_scopes(
    acts_as: str | None, requested: Iterable[str] | None
) -> tuple[str, ...]:
    allowed = scopes_open_to(acts_as)
    if requested is None:
        return allowed
    chosen = sorted(set(requested))
    sort = "client for people" if acts_as is None else f"{acts_as} client"
    for name in chosen:
        if name not in allowed:
            raise ClientError(
                f"scope {name!r} is not available to a {sort}; "
                f"choose from: {', '.join(allowed)}"
            )
    return tuple(chosen)
