"""HTML pages of the authorization server: consent, errors, authorised clients.

Every value is escaped. The pages carry headers that keep them out of caches
and out of frames, so another site cannot overlay the consent buttons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from litestar import MediaType, Response

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;"
    "padding:0 1rem;line-height:1.5;color:#1a1a1a}"
    "h1{font-size:1.4rem}ul{padding-left:1.2rem}"
    ".box{border:1px solid #ccc;border-radius:6px;padding:1rem;margin:1rem 0}"
    "button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}"
    ".muted{color:#555;font-size:.9rem}"
)


@dataclass(frozen=True, slots=True)
class ActorOption:
    """An actor the person may let the client act as, with its label."""

    key: str
    label: str


@dataclass(frozen=True, slots=True)
class GrantRow:
    """One authorised client on the person's list."""

    grant_id: str
    client_name: str
    client_id: str
    acting_as: str
    scopes: tuple[str, ...]
    since: str


def page(title: str, body: str, status: int = 200) -> Response[str]:
    """Wrap ``body`` (already escaped HTML) in a page with the safe headers."""
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return Response(
        html, status_code=status, media_type=MediaType.HTML, headers=PAGE_HEADERS
    )


def error_page(title: str, detail: str, status: int = 400) -> Response[str]:
    """Return a page that names the problem and the fix; ``detail`` is never input."""
    return page(title, f"<p>{escape(detail)}</p>", status)


def consent_page(
    client_name: str,
    client_id: str,
    scopes: Iterable[tuple[str, str]],
    options: list[ActorOption],
    fields: dict[str, str],
    csrf_token: str,
) -> Response[str]:
    """Ask the person whether ``client_name`` may act for them, and as whom.

    ``scopes`` pairs each scope name with the sentence that explains it.
    """
    items = "".join(
        f"<li>{escape(text)} <span class='muted'>({escape(name)})</span></li>"
        for name, text in scopes
    )
    choices = "".join(
        "<div><label><input type='radio' name='actor' "
        f"value='{escape(option.key, quote=True)}'{' checked' if i == 0 else ''}> "
        f"{escape(option.label)}</label></div>"
        for i, option in enumerate(options)
    )
    hidden = "".join(
        f"<input type='hidden' name='{escape(name, quote=True)}' "
        f"value='{escape(value, quote=True)}'>"
        for name, value in fields.items()
    )
    token = escape(csrf_token, quote=True)
    body = (
        f"<p><strong>{escape(client_name)}</strong> asks to act for you "
        "(あなたの代わりに操作する許可を求めています). It may:</p>"
        f"<ul>{items}</ul>"
        "<form method='post' action='/oauth/authorize'>"
        f"{hidden}<input type='hidden' name='csrf_token' value='{token}'>"
        f"<div class='box'><p>Act as (立場):</p>{choices}</div>"
        "<p class='muted'>The application sees only what you may see yourself "
        "under the registry's rules, and only the items listed above that the "
        "role you choose may hold. Every read it makes is recorded in the "
        "audit log. The permission lasts until you withdraw it on "
        "<a href='/account/clients'>your authorised applications</a> "
        "(許可はいつでも取り消せます).</p>"
        "<button type='submit' name='decision' value='allow'>Allow (許可)</button>"
        "<button type='submit' name='decision' value='deny'>Deny (拒否)</button>"
        "</form>"
        f"<p class='muted'>Application id: {escape(client_id)}</p>"
        "<form method='post' action='/logout'>"
        f"<input type='hidden' name='csrf_token' value='{token}'>"
        "<button type='submit'>Not you? Log out (ログアウト)</button></form>"
    )
    return page("Allow this application to act for you? (アプリの許可)", body)


def grants_page(rows: list[GrantRow], csrf_token: str) -> Response[str]:
    """List the person's authorised applications, each with a revoke button."""
    if not rows:
        body = "<p>You have not authorised any application.</p>"
        return page("Your authorised applications", body)
    boxes = "".join(
        "<div class='box'>"
        f"<p><strong>{escape(row.client_name)}</strong> "
        f"<span class='muted'>(client id {escape(row.client_id)})</span></p>"
        f"<p>Acts as {escape(row.acting_as)}, since {escape(row.since)}.<br>"
        f"Scopes: {escape(' '.join(row.scopes))}</p>"
        "<form method='post' action='/account/clients/revocation'>"
        f"<input type='hidden' name='grant_id' "
        f"value='{escape(row.grant_id, quote=True)}'>"
        f"<input type='hidden' name='csrf_token' "
        f"value='{escape(csrf_token, quote=True)}'>"
        "<button type='submit'>Revoke</button></form></div>"
        for row in rows
    )
    body = (
        "<p>Revoking an application ends its access at once: its tokens stop "
        "working on the next request.</p>" + boxes
    )
    return page("Your authorised applications", body)
