"""The pages of a browser session: who is logged in, and the registration form."""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Response

from ccus.login.pages import definition_list, hidden, page
from ccus.login.sessions import OpenSession, Person

SESSION_PAGE = "/login/session"
REGISTRATION_PAGE = "/login/registration"
GENDER_LABELS = {"male": "male", "female": "female"}
HEALTH_KINDS = (
    ("kyokai_kenpo", "協会けんぽ (Japan Health Insurance Association)"),
    ("kenpo_kumiai", "健康保険組合 (company health insurance society)"),
    ("kensetsu_kokuho", "建設国保 (construction workers' national health insurance)"),
    ("kokumin_kenko_hoken", "国民健康保険 (national health insurance)"),
)
PENSION_KINDS = (
    ("kosei_nenkin", "厚生年金 (employees' pension)"),
    ("kokumin_nenkin", "国民年金 (national pension)"),
)
KENTAIKYO = "建退共 member (construction workers' retirement allowance)"
CHUTAIKYO = "中退共 member (SME retirement allowance)"
STATUSES = (
    ("enrolled", "enrolled"),
    ("not_enrolled", "not enrolled"),
    ("exempt", "exempt"),
)


def session_page(session: OpenSession | None, local_idp: bool) -> Response[str]:
    """Show the logged-in person and a logout button, or a login link."""
    person = None if session is None else session.record.person
    if session is None or person is None:
        hint = (
            "<p class='muted'>The local demo provider lets you choose a demo "
            "card holder in place of reading a My Number card.</p>"
            if local_idp
            else ""
        )
        return page(
            "Not logged in",
            "<p>Log in with your My Number card through the national ID "
            f"provider.</p><p><a href='/login'>Log in</a></p>{hint}",
        )
    body = _person_html(person)
    if session.record.identity is not None and person.worker_id is None:
        body += (
            "<p>You are not registered as a worker. "
            f"<a href='{REGISTRATION_PAGE}'>Register as a worker</a></p>"
        )
    body += (
        "<form method='post' action='/logout'>"
        f"{hidden('csrf_token', session.record.csrf)}"
        "<button type='submit'>Log out</button></form>"
    )
    return page("Logged in", body)


def _person_html(person: Person) -> str:
    items = [("Login subject", person.login_subject)]
    items.append(("Worker id", person.worker_id or "none (not registered as a worker)"))
    html = definition_list(items)
    if person.staff:
        rows = "".join(
            f"<li>{escape(member.company_name)} ({escape(member.company_id)}), "
            f"staff {escape(member.staff_id)}: "
            f"{escape(', '.join(member.roles) or 'no role')}</li>"
            for member in person.staff
        )
        html += f"<h2>Acting for</h2><ul>{rows}</ul>"
    else:
        html += "<p>You act for no company.</p>"
    return html


def registration_page(
    identity: dict[str, Any], csrf: str, error: str | None = None, status: int = 200
) -> Response[str]:
    """Show the verified claims and a form for what the card does not carry."""
    claims = [
        ("Name", identity["name"]),
        ("Birth date", identity["birth_date"]),
        (
            "Gender",
            GENDER_LABELS.get(identity.get("gender") or "", "other or not given"),
        ),
        ("Address", identity.get("address") or "not given by the card"),
    ]
    notice = f"<p class='error'>{escape(error)}</p>" if error else ""
    address_input = (
        ""
        if identity.get("address")
        else _input("address", "Address (the card gave none)")
    )
    postal = identity.get("postal_code") or ""
    form = (
        f"<form method='post' action='{REGISTRATION_PAGE}'>"
        f"{hidden('csrf_token', csrf)}"
        f"{_input('name_kana', 'Name in katakana (フリガナ)')}"
        f"{_input('nationality', 'Nationality (ISO 3166 code, e.g. JP)', 'JP')}"
        f"{address_input}"
        f"{_input('postal_code', 'Postal code (e.g. 100-0001)', postal)}"
        f"{_input('phone', 'Phone')}"
        f"{_input('email', 'Email (optional)')}"
        "<h2>Emergency contact</h2>"
        f"{_input('emergency_name', 'Name')}"
        f"{_input('emergency_relationship', 'Relationship (e.g. spouse)')}"
        f"{_input('emergency_address', 'Address')}"
        f"{_input('emergency_phone', 'Phone')}"
        "<h2>Social insurance</h2>"
        f"{_select('health_insurance_kind', 'Health insurance', HEALTH_KINDS)}"
        f"{_select('health_insurance_status', 'Health insurance enrolment', STATUSES)}"
        f"{_select('pension_kind', 'Pension', PENSION_KINDS)}"
        f"{_select('pension_status', 'Pension enrolment', STATUSES)}"
        f"{_select('employment_insurance_status', 'Employment insurance', STATUSES)}"
        f"{_checkbox('kentaikyo_member', KENTAIKYO)}"
        f"{_checkbox('chutaikyo_member', CHUTAIKYO)}"
        "<p><button type='submit'>Register</button></p></form>"
    )
    body = (
        "<p>The national ID provider verified these details from your My Number "
        "card. They are registered as they are.</p>"
        f"<div class='box'>{definition_list(claims)}</div>{notice}{form}"
        "<p class='muted'>Your employer records your employment after you "
        "register. Never enter your individual number (My Number).</p>"
    )
    return page("Register as a worker", body, status)


def _input(name: str, label: str, value: str = "") -> str:
    return (
        f"<label for='{name}'>{escape(label)}</label>"
        f"<input id='{name}' name='{name}' value='{escape(value, quote=True)}'>"
    )


def _select(name: str, label: str, options: tuple[tuple[str, str], ...]) -> str:
    choices = "".join(
        f"<option value='{value}'>{escape(text)}</option>" for value, text in options
    )
    return (
        f"<label for='{name}'>{escape(label)}</label>"
        f"<select id='{name}' name='{name}'>{choices}</select>"
    )


def _checkbox(name: str, label: str) -> str:
    return (
        f"<label><input type='checkbox' name='{name}' value='on'> "
        f"{escape(label)}</label>"
    )
