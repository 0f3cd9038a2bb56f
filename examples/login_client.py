"""A client for people that runs the authorization code flow against ccus.

It acts like contractor software on a person's own computer (RFC 8252). It
listens on a loopback port for the redirect, sends the person's browser to
the consent page with PKCE (S256), checks ``state`` and ``iss`` on the way
back, exchanges the code, and reads the API with the token.

Register it first as a public client with this redirect URI::

    ccus clients add "Example app" --auth-method none \\
        --redirect-uri http://127.0.0.1:8765/callback

then run::

    python examples/login_client.py CLIENT_ID

and open the URL it prints in a browser.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.server
import json
import secrets
import sys
import threading
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

DEFAULT_PORT = 8765


class Callback(http.server.BaseHTTPRequestHandler):
    """Receives the one redirect back from the authorization server."""

    received: dict[str, str] = {}
    done = threading.Event()

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        parts = urlsplit(self.path)
        if parts.path != "/callback":
            self.send_error(404)
            return
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        Callback.received = query
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"Done. You can close this tab and go back to the terminal.\n")
        Callback.done.set()

    def log_message(self, format: str, *args: object) -> None:
        """Keep the code out of the terminal."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("client_id")
    parser.add_argument("--server", default="http://127.0.0.1:8000")
    parser.add_argument("--scope", default="workers:read consents:read")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="loopback port of the redirect URI http://127.0.0.1:PORT/callback",
    )
    parser.add_argument(
        "--get",
        action="append",
        metavar="PATH",
        help="an API path to read with the token (repeatable); default: "
        "/workers/me and /consents",
    )
    args = parser.parse_args()
    redirect_uri = f"http://127.0.0.1:{args.port}/callback"

    metadata = httpx.get(f"{args.server}/.well-known/oauth-authorization-server").json()
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        .rstrip(b"=")
        .decode()
    )
    state = secrets.token_urlsafe(16)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": args.client_id,
            "redirect_uri": redirect_uri,
            "scope": args.scope,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    server = http.server.HTTPServer(("127.0.0.1", args.port), Callback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("Open this URL in a browser, log in and approve:\n")
    print(f"  {metadata['authorization_endpoint']}?{query}\n")
    Callback.done.wait()
    server.shutdown()

    received = Callback.received
    if received.get("state") != state:
        print("rejected: the returned state differs from the one sent", file=sys.stderr)
        return 1
    if received.get("iss") != metadata["issuer"]:
        print("rejected: the response names another issuer (RFC 9207)", file=sys.stderr)
        return 1
    if "error" in received:
        detail = received.get("error_description", "")
        print(f"the server returned {received['error']}: {detail}", file=sys.stderr)
        return 1
    tokens = httpx.post(
        metadata["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": received["code"],
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            "client_id": args.client_id,
        },
    )
    if tokens.status_code != 200:
        print(f"token request failed: {tokens.text}", file=sys.stderr)
        return 1
    body = tokens.json()
    print(f"access token for scope {body['scope']!r}, valid {body['expires_in']} s")
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    for path in args.get or ["/workers/me", "/consents"]:
        answer = httpx.get(f"{args.server}{path}", headers=headers)
        print(f"\nGET {path} -> {answer.status_code}")
        print(json.dumps(answer.json(), ensure_ascii=False, indent=2)[:1500])
    return 0


if __name__ == "__main__":
    sys.exit(main())
