"""HTML pages and redirects of the login and of the local provider.

Every value is escaped before it reaches a page. Every response carries
``Cache-Control: no-store``, stays out of frames and sends no referrer, so
that codes and states in URLs do not leak to other sites.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from urllib.parse import parse_qsl

from litestar import MediaType, Response
from litestar.datastructures import Cookie

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
MAX_FORM_BYTES = 16 * 1024
MAX_FORM_FIELDS = 40
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:44rem;margin:2rem auto;"
    "padding:0 1rem;line-height:1.5;color:#1a1a1a}"
    "h1{font-size:1.4rem}h2{font-size:1.1rem}"
    ".box{border:1px solid #ccc;border-radius:6px;padding:1rem;margin:1rem 0}"
    ".banner{background:#fff4ce;border:1px solid #e0c060;padding:.6rem 1rem;"
    "border-radius:6px}"
    "label{display:block;margin:.5rem 0 .1rem}input,select{font-size:1rem}"
    "button{font-size:1rem;padding:.4rem 1rem;margin:.3rem .5rem .3rem 0}"
    "dt{font-weight:600}dd{margin:0 0 .5rem 0}.muted{color:#555;font-size:.9rem}"
    ".error{color:#a00000}"
)


def page(
    title: str,
    body: str,
    status: int = 200,
    cookies: Iterable[Cookie] = (),
) -> Response[str]:
    """Wrap ``body`` (HTML whose values are already escaped) in a page."""
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return Response(
        html,
        status_code=status,
        media_type=MediaType.HTML,
        headers=PAGE_HEADERS,
        cookies=list(cookies),
    )


def refusal(
    title: str,
    problem: str,
    fix: str,
    status: int = 400,
    cookies: Iterable[Cookie] = (),
) -> Response[str]:
    """Return a page naming the problem and the fix; neither may contain input."""
    body = f"<p>{escape(problem)}</p><p>{escape(fix)}</p>"
    return page(title, body, status, cookies)


def redirect(location: str, cookies: Iterable[Cookie] = ()) -> Response[str]:
    """Return a 303 See Other to ``location`` with the page headers."""
    headers = dict(PAGE_HEADERS)
    headers["Location"] = location
    return Response(
        "",
        status_code=303,
        media_type=MediaType.TEXT,
        headers=headers,
        cookies=list(cookies),
    )


def hidden(name: str, value: str) -> str:
    """Return a hidden form input."""
    return (
        f"<input type='hidden' name='{escape(name, quote=True)}' "
        f"value='{escape(value, quote=True)}'>"
    )


def definition_list(items: Iterable[tuple[str, str]]) -> str:
    """Return a ``<dl>`` of label and value pairs."""
    rows = "".join(
        f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in items
    )
    return f"<dl>{rows}</dl>"


def read_form(body: bytes) -> dict[str, str] | None:
    """Parse a form body into single values, or return None if it is not one."""
    if len(body) > MAX_FORM_BYTES:
        return None
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            max_num_fields=MAX_FORM_FIELDS,
            errors="strict",
        )
    except ValueError:
        return None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            return None
        form[name] = value
    return form


def store_failure_page() -> Response[str]:
    return refusal(
        "Login unavailable",
        "The session store of the service failed, so no login can start or finish.",
        "Retry in a minute.",
        503,
    )
