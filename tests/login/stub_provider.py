"""An OpenID Provider stub that issues the ID tokens a test builds.

It serves discovery, a JWKS, an authorization endpoint that redirects back
at once with a code, and a token endpoint that returns an ID token for the nonce of
that authorization. ``forge`` lets a test replace the ID token by one it
builds from the claims and the stub's signing key, to try an attack on the
relying party.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import ECKey, Key

from tests.conftest import FIXED_NOW

NOW = int(FIXED_NOW.timestamp())
KID = "stub-key-1"
Forge = Callable[[dict[str, Any], ECKey], str]


def sign(header: dict[str, Any], claims: dict[str, Any], key: Key) -> str:
    return jwt.encode(header, claims, key, algorithms=[header["alg"]])


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    """Join a header and claims into a compact JWS with an empty signature."""
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}."


def hmac_signed(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    """Sign with HMAC-SHA256 by hand, as an attacker would with any bytes."""
    signing_input = (
        f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    )
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


class StubProvider:
    """The stub on a loopback port, with what it saw and what it will send."""

    def __init__(self, client_id: str = "ccus") -> None:
        self.client_id = client_id
        self.key = ECKey.generate_key("P-256", parameters={"kid": KID})
        self.forge: Forge | None = None
        self.callback_iss: str | None = None
        self.jwks_requests = 0
        self.token_requests: list[dict[str, str]] = []
        self.nonces: list[str] = []
        self._codes: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def claims(self, nonce: str) -> dict[str, Any]:
        """Return the claims of a valid ID token for ``nonce``."""
        return {
            "iss": self.issuer,
            "sub": "stub-person-1",
            "aud": self.client_id,
            "iat": NOW,
            "exp": NOW + 300,
            "nonce": nonce,
            "name": "試験　花子",
            "birthdate": "1990-01-02",
            "gender": "female",
            "address": {
                "formatted": "東京都千代田区霞が関1丁目1番1号",
                "postal_code": "100-0013",
            },
        }

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "jwks_uri": self.issuer + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "authorization_response_iss_parameter_supported": True,
        }

    def _authorize(self, params: dict[str, str]) -> str:
        code = secrets.token_urlsafe(16)
        with self._lock:
            self._codes[code] = params.get("nonce", "")
            self.nonces.append(params.get("nonce", ""))
        answer = {"code": code, "state": params.get("state", "")}
        answer["iss"] = self.callback_iss or self.issuer
        return f"{params['redirect_uri']}?{urlencode(answer)}"

    def _token(self, form: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            self.token_requests.append(form)
            nonce = self._codes.pop(form.get("code", ""), None)
        if nonce is None:
            return {"error": "invalid_grant"}
        claims = self.claims(nonce)
        if self.forge is not None:
            token = self.forge(claims, self.key)
        else:
            token = sign({"alg": "ES256", "kid": KID}, claims, self.key)
        return {"access_token": "stub", "token_type": "Bearer", "id_token": token}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                """Keep the test output quiet."""

            def do_GET(self) -> None:  # noqa: N802 - the http.server interface
                parts = urlsplit(self.path)
                if parts.path == "/.well-known/openid-configuration":
                    self._json(200, stub.metadata())
                elif parts.path == "/jwks":
                    with stub._lock:
                        stub.jwks_requests += 1
                    self._json(200, {"keys": [stub.key.as_dict(private=False)]})
                elif parts.path == "/authorize":
                    target = stub._authorize(dict(parse_qsl(parts.query)))
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:  # noqa: N802 - the http.server interface
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(parse_qsl(self.rfile.read(length).decode()))
                if urlsplit(self.path).path != "/token":
                    self._json(404, {"error": "not_found"})
                    return
                body = stub._token(form)
                self._json(400 if "error" in body else 200, body)

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
