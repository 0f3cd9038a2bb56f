"""The ``ccus`` command line."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ccus.config import Settings
from ccus.config import load_settings as _load_settings

if TYPE_CHECKING:
    from ccus.audit.log import AccessContext
    from ccus.services import Services

OPENAPI_FILE = Path("openapi") / "openapi.json"


def operator_context(state: Services) -> AccessContext:
    """Build the audit context of a command run by an operator on the server."""
    import getpass
    import uuid

    from ccus.audit.log import AccessContext
    from ccus.auth.actors import OperatorActor

    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = f"uid-{os.getuid()}"
    actor = OperatorActor(subject=login[:80], client_id="ccus-cli")
    return AccessContext(
        actor=actor,
        request_id=f"cli-{uuid.uuid4().hex}",
        now=state.clock(),
        chain=state.audit_chain,
        purpose="operations",
    )


def load_settings() -> Settings:
    """Read the settings, turning a bad variable into a clear CLI error."""
    try:
        return _load_settings()
    except ValueError as error:
        raise click.ClickException(str(error)) from None


@click.group()
def main() -> None:
    """Run and manage the ccus registry service."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, help="TCP port to bind.")
def serve(host: str, port: int) -> None:
    """Serve the HTTP API with uvicorn."""
    import uvicorn

    from ccus.app import create_asgi
    from ccus.crypto.keyring import KeyringError
    from ccus.logs import configure_logging

    configure_logging()
    try:
        app = create_asgi(load_settings())
    except KeyringError as error:
        raise click.ClickException(str(error)) from None
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)


@main.command()
def migrate() -> None:
    """Migrate the database to the newest schema."""
    from ccus.db.migrate import upgrade

    upgrade(load_settings().database_url)
    click.echo("database is at the newest schema")


@main.group()
def keys() -> None:
    """Manage the local keyring."""


@keys.command("init")
def keys_init() -> None:
    """Create local development keys under the keys folder if absent.

    These are the keyring, the login client's key and the local provider's key.
    """
    from ccus.crypto.keyring import create_local_keyring
    from ccus.login.keys import (
        LOCAL_IDP_KEY_FILE,
        LOGIN_CLIENT_KEY_FILE,
        create_signing_jwk,
    )

    settings = load_settings()
    if settings.production:
        raise click.ClickException(
            "refusing to create keys in production mode; provide the production "
            f"keyring at {settings.keys_dir}"
        )
    created = create_local_keyring(settings.keys_dir)
    state = "created" if created else "already present"
    click.echo(f"keyring {settings.keys_dir / 'keyring.json'} {state}")
    for file_name, kid_prefix in (
        (LOGIN_CLIENT_KEY_FILE, "login-client"),
        (LOCAL_IDP_KEY_FILE, "local-idp"),
    ):
        path = settings.keys_dir / file_name
        state = "created" if create_signing_jwk(path, kid_prefix) else "already present"
        click.echo(f"key {path} {state}")


def _progress_bar(description: str, total: int, unit: str = " keys"):  # type: ignore[no-untyped-def]
    from tqdm import tqdm

    return tqdm(total=total, desc=description, unit=unit, file=sys.stderr)


@keys.command("status")
def keys_status() -> None:
    """List the key-encryption keys and how many data keys each wraps."""
    from sqlalchemy import func, select

    from ccus.registry.models import WorkerKey
    from ccus.registry.rotation import count_wrapped_by
    from ccus.services import build_services

    state = build_services(load_settings())
    active = state.vault.provider.active_kek_id()
    held = state.vault.provider.kek_ids()
    with state.session() as session:
        for kek_id in held:
            marker = "active" if kek_id == active else "      "
            count = count_wrapped_by(session, kek_id)
            click.echo(f"{marker} {kek_id} wraps {count} data keys")
        used = session.execute(
            select(WorkerKey.kek_id, func.count()).group_by(WorkerKey.kek_id)
        ).all()
    for kek_id, count in used:
        if kek_id not in held:
            click.echo(
                f"MISSING {kek_id} wraps {count} data keys but is not in the "
                "keyring; those workers cannot be read until it is restored"
            )


@keys.command("rotate-kek")
def keys_rotate_kek() -> None:
    """Add a new key-encryption key and make it the active one.

    Existing data keys stay wrapped by the previous key until
    'ccus keys rewrap' moves them.
    """
    from datetime import UTC, datetime

    from ccus.crypto.keyring import add_local_kek
    from ccus.crypto.pkcs11_provider import Pkcs11KekProvider
    from ccus.services import build_services

    settings = load_settings()
    if settings.kek_provider == "local":
        kek_id = add_local_kek(settings.keys_dir)
        click.echo(f"key-encryption key {kek_id} is now active; run 'ccus keys rewrap'")
        return
    provider = build_services(settings).vault.provider
    assert isinstance(provider, Pkcs11KekProvider)
    label = f"key-encryption-{datetime.now(UTC):%Y%m%d%H%M%S}"
    provider.create_kek(label)
    click.echo(
        f"key-encryption key {label} was created on the token; set "
        f"CCUS_PKCS11_ACTIVE_KEK={label} for every process, restart them, then "
        "run 'ccus keys rewrap'"
    )


@keys.command("rewrap")
@click.option("--batch", default=500, show_default=True, help="Keys per commit.")
def keys_rewrap(batch: int) -> None:
    """Wrap every data key again under the active key-encryption key.

    Safe to interrupt and run again; a running service keeps serving.
    """
    from ccus.crypto.keyring import KeyringError
    from ccus.registry.rotation import pending_rewrap, rewrap_all
    from ccus.services import build_services

    state = build_services(load_settings())
    with state.session() as session:
        pending = pending_rewrap(session, state.vault.provider.active_kek_id())
    with _progress_bar("rewrap", pending) as bar:
        try:
            done = rewrap_all(state.sessions, state.vault, batch, bar.update)
        except KeyringError as error:
            raise click.ClickException(
                f"{error}; restore that key to rewrap the data keys it wraps"
            ) from None
    click.echo(f"rewrapped {done} data keys")


@keys.command("reencrypt")
@click.option(
    "--worker", "worker_ids", multiple=True, help="Only this worker id (repeatable)."
)
@click.option("--batch", default=200, show_default=True, help="Workers per commit.")
@click.option(
    "--grace",
    default=5.0,
    show_default=True,
    help="Seconds to keep superseded data keys for reads already under way.",
)
def keys_reencrypt(worker_ids: tuple[str, ...], batch: int, grace: float) -> None:
    """Seal workers' fields again under new data keys.

    Without --worker, covers every worker and resumes an interrupted run.
    """
    import time

    from sqlalchemy import func, select

    from ccus.crypto.keyring import KeyringError
    from ccus.ids import is_id14
    from ccus.registry.models import Worker
    from ccus.registry.rotation import (
        prune_superseded_keys,
        reencrypt_all,
        reencrypt_worker,
    )
    from ccus.services import build_services

    state = build_services(load_settings())
    if worker_ids:
        with state.session() as session:
            for worker_id in worker_ids:
                worker = session.get(Worker, worker_id) if is_id14(worker_id) else None
                if worker is None or worker.erased_at is not None:
                    raise click.BadParameter(
                        f"{worker_id!r} is not the id of a registered, unerased worker",
                        param_hint="--worker",
                    )
            try:
                for worker_id in worker_ids:
                    reencrypt_worker(session, state.vault, worker_id, state.clock())
            except KeyringError as error:
                raise click.ClickException(str(error)) from None
            session.commit()
            time.sleep(grace)
            prune_superseded_keys(session, state.clock())
        click.echo(f"re-encrypted {len(worker_ids)} workers")
        return
    with state.session() as session:
        total = session.scalar(
            select(func.count()).select_from(Worker).where(Worker.erased_at.is_(None))
        )
    with _progress_bar("re-encrypt", int(total or 0), " workers") as bar:
        try:
            done = reencrypt_all(
                state.sessions,
                state.vault,
                state.clock,
                batch_size=batch,
                grace_seconds=grace,
                progress=bar.update,
            )
        except KeyringError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"re-encrypted {done} workers")


@keys.command("retire")
@click.argument("kek_id")
def keys_retire(kek_id: str) -> None:
    """Remove key-encryption key KEK_ID once no data key needs it."""
    from ccus.crypto.keyring import KeyringError, remove_local_kek
    from ccus.registry.rotation import count_wrapped_by
    from ccus.services import build_services

    settings = load_settings()
    state = build_services(settings)
    if kek_id == state.vault.provider.active_kek_id():
        raise click.ClickException(
            f"key-encryption key {kek_id!r} is active; rotate to a new one with "
            "'ccus keys rotate-kek' and rewrap before retiring it"
        )
    with state.session() as session:
        count = count_wrapped_by(session, kek_id)
    if count:
        raise click.ClickException(
            f"{count} data keys are still wrapped by key-encryption key "
            f"{kek_id!r}; run 'ccus keys rewrap' first"
        )
    if settings.kek_provider != "local":
        click.echo(
            f"no data key needs key-encryption key {kek_id} any more; destroy it "
            "on the token with the HSM's own tools"
        )
        return
    try:
        remove_local_kek(settings.keys_dir, kek_id)
    except KeyringError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"key-encryption key {kek_id} retired")


@main.group()
def workers() -> None:
    """Manage worker records."""


@workers.command("erase")
@click.argument("worker_id")
def workers_erase(worker_id: str) -> None:
    """Destroy WORKER_ID's data keys, making every personal field unreadable."""
    from ccus.audit.log import AuditDraft, write_events
    from ccus.ids import is_id14
    from ccus.registry.erasure import AlreadyErased, erase_worker, flush_erased_pages
    from ccus.services import build_services

    if not is_id14(worker_id):
        raise click.BadParameter("must be exactly 14 digits", param_hint="WORKER_ID")
    state = build_services(load_settings())
    context = operator_context(state)
    with state.session() as session:
        try:
            found = erase_worker(session, worker_id, context.now)
        except AlreadyErased as error:
            raise click.ClickException(str(error)) from None
        if not found:
            raise click.ClickException(f"no worker {worker_id} is registered")
        draft = AuditDraft("erase_worker", "worker", "allow", worker_id=worker_id)
        write_events(session, context, [draft])
        session.commit()
        flush_erased_pages(session)
    click.echo(
        f"worker {worker_id} erased. Backups taken before hold the wrapped key "
        "until its key-encryption key is retired: run 'ccus keys rotate-kek', "
        "'ccus keys rewrap' and 'ccus keys retire OLD_KEK_ID'."
    )


@main.group()
def staff() -> None:
    """Manage the staff who act for companies."""


@staff.command("link")
@click.argument("staff_id")
def staff_link(staff_id: str) -> None:
    """Let a national-ID login act as STAFF_ID, by name and birth date.

    Reads two lines from stdin, never from arguments, so that they stay out of
    shell history and process lists: the name as on the person's My Number
    card, then the birth date as YYYY-MM-DD. Only a keyed HMAC of the two is
    stored in the staff row.
    """
    from datetime import date

    from ccus.audit.log import AuditDraft, write_events
    from ccus.ids import is_id14
    from ccus.registry.models import Staff
    from ccus.registry.mynumber import contains_individual_number
    from ccus.services import build_services

    if not is_id14(staff_id):
        raise click.BadParameter("must be exactly 14 digits", param_hint="STAFF_ID")
    lines = [line.strip() for line in sys.stdin.read(4096).splitlines() if line.strip()]
    if len(lines) != 2:
        raise click.ClickException(
            "expected two lines on stdin: the name as on the My Number card, then "
            "the birth date as YYYY-MM-DD"
        )
    name, birth_text = lines
    try:
        birth_date = date.fromisoformat(birth_text)
    except ValueError:
        raise click.ClickException(
            "the second line is not a birth date; write it as YYYY-MM-DD"
        ) from None
    if contains_individual_number(name):
        raise click.ClickException(
            "the first line contains an individual number (My Number), which is "
            "never stored; send the name only"
        )
    state = build_services(load_settings())
    context = operator_context(state)
    with state.session() as session:
        row = session.get(Staff, staff_id)
        if row is None:
            raise click.ClickException(f"no staff member {staff_id} is registered")
        try:
            row.login_index = state.staff_login_index.token(name, birth_date)
        except ValueError:
            raise click.ClickException("the first line contains no name") from None
        draft = AuditDraft(
            "link_staff_login",
            "staff",
            "allow",
            basis=[{"kind": "staff", "ref": staff_id}],
        )
        write_events(session, context, [draft])
        session.commit()
        company_id = row.company_id
    click.echo(
        f"staff {staff_id} linked: a national-ID login with that name and birth "
        f"date now acts for company {company_id}"
    )


@main.group()
def clients() -> None:
    """Register and manage the OAuth clients of the token endpoint."""


@clients.command("add")
@click.argument("name")
@click.option(
    "--device-site",
    "site_id",
    metavar="SITE_ID",
    help="Act as the entry/exit system of this site (14 digits).",
)
@click.option(
    "--regulator",
    is_flag=True,
    help="Act as a regulator tool that reads the audit log.",
)
@click.option(
    "--redirect-uri",
    "redirect_uris",
    multiple=True,
    metavar="URI",
    help="Act for the people who log in to it, sending them back to this exact "
    "URI after they approve (repeatable).",
)
@click.option(
    "--no-refresh",
    is_flag=True,
    help="With --redirect-uri: issue no refresh tokens to the client.",
)
@click.option(
    "--auth-method",
    type=click.Choice(["private_key_jwt", "client_secret_basic", "none"]),
    default="private_key_jwt",
    show_default=True,
    help="How the client authenticates at the token endpoint; 'none' registers "
    "a public client (an app that cannot keep a secret), with --redirect-uri.",
)
@click.option(
    "--jwks",
    "jwks_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON file with the client's public keys as a JWK Set (private_key_jwt).",
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="A scope the client may request (repeatable); default: every scope "
    "open to the client's actors.",
)
def clients_add(
    name: str,
    site_id: str | None,
    regulator: bool,
    redirect_uris: tuple[str, ...],
    no_refresh: bool,
    auth_method: str,
    jwks_file: Path | None,
    scopes: tuple[str, ...],
) -> None:
    """Register a client named NAME and print its id, and its secret once.

    A machine client uses the client_credentials grant and acts as a device
    of one site (--device-site) or as a regulator (--regulator). A client for
    people (--redirect-uri) uses the authorization code grant with PKCE and
    acts for the person who logs in and approves it.
    """
    from ccus.audit.log import write_events
    from ccus.oauth.audit import registry_draft
    from ccus.oauth.clients import ClientError, ClientSpec, register_client
    from ccus.services import build_services

    chosen = [site_id is not None, regulator, bool(redirect_uris)]
    if sum(chosen) != 1:
        raise click.UsageError(
            "choose exactly one of --device-site SITE_ID, --regulator or "
            "--redirect-uri URI"
        )
    if no_refresh and not redirect_uris:
        raise click.UsageError("--no-refresh applies only with --redirect-uri")
    acts_as: str | None = None
    if site_id is not None:
        acts_as = "device"
    elif regulator:
        acts_as = "regulator"
    jwks = None
    if jwks_file is not None:
        try:
            jwks = json.loads(jwks_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise click.BadParameter(
                f"{jwks_file} is not a readable JSON file: {error}",
                param_hint="--jwks",
            ) from None
    spec = ClientSpec(
        name=name,
        acts_as=acts_as,
        site_id=site_id,
        auth_method=auth_method,
        jwks=jwks,
        scopes=scopes or None,
        redirect_uris=redirect_uris,
        refresh_tokens=not no_refresh,
    )
    state = build_services(load_settings())
    context = operator_context(state)
    with state.session() as session:
        try:
            client, secret = register_client(session, spec, context.now)
        except ClientError as error:
            raise click.ClickException(str(error)) from None
        draft = registry_draft("register_client", client.client_id, client.site_id)
        write_events(session, context, [draft])
        session.commit()
    click.echo(f"client_id: {client.client_id}")
    if secret is not None:
        click.echo(f"client_secret: {secret}")
        click.echo(
            "The secret is shown only this once and stored only as a hash; "
            "put it in the client's secret store now."
        )
    click.echo(
        f"acts as {_acting_as(client.acts_as, client.site_id)} with scope "
        f"{' '.join(client.scopes) or '(none)'}"
    )
    for uri in client.redirect_uris:
        click.echo(f"redirect URI: {uri}")


@clients.command("list")
def clients_list() -> None:
    """List the registered clients, oldest first."""
    from ccus.oauth.clients import list_clients
    from ccus.services import build_services

    state = build_services(load_settings())
    with state.session() as session:
        registered = list_clients(session)
    if not registered:
        click.echo("no clients are registered; add one with 'ccus clients add'")
        return
    for client in registered:
        status = "enabled " if client.enabled else "disabled"
        click.echo(
            f"{client.client_id}  {status}  {client.token_endpoint_auth_method:<19}  "
            f"{_acting_as(client.acts_as, client.site_id):<21}  {client.name}"
        )


@clients.command("show")
@click.argument("client_id")
def clients_show(client_id: str) -> None:
    """Print the registration of CLIENT_ID as JSON, without its secret."""
    from ccus.oauth.clients import find_client
    from ccus.services import build_services

    state = build_services(load_settings())
    with state.session() as session:
        client = find_client(session, client_id)
    if client is None:
        raise click.ClickException(
            f"no client {client_id} is registered; see 'ccus clients list'"
        )
    click.echo(json.dumps(client.describe(), indent=2, ensure_ascii=False))


@clients.command("disable")
@click.argument("client_id")
def clients_disable(client_id: str) -> None:
    """Stop CLIENT_ID from authenticating and obtaining new tokens."""
    from ccus.audit.log import write_events
    from ccus.oauth.audit import registry_draft
    from ccus.oauth.clients import ClientError, disable_client
    from ccus.oauth.server import ACCESS_TOKEN_LIFETIME_SECONDS
    from ccus.services import build_services

    state = build_services(load_settings())
    context = operator_context(state)
    with state.session() as session:
        try:
            client = disable_client(session, client_id, context.now)
        except ClientError as error:
            raise click.ClickException(str(error)) from None
        draft = registry_draft("disable_client", client.client_id, client.site_id)
        write_events(session, context, [draft])
        session.commit()
    click.echo(
        f"client {client_id} disabled. Tokens it obtained before stay valid until "
        f"they expire, at most {ACCESS_TOKEN_LIFETIME_SECONDS // 60} minutes."
    )


@clients.command("admin-token")
@click.option(
    "--lifetime",
    default=600,
    show_default=True,
    type=click.IntRange(1, 3600),
    help="Seconds the token stays valid (1 to 3600).",
)
def clients_admin_token(lifetime: int) -> None:
    """Print a token for the client registry API (/oauth/clients).

    The token stands for the operator running the command and holds only the
    clients:admin scope. Issuing it is an audit entry.
    """
    from dataclasses import replace

    from ccus.audit.log import AuditDraft, write_events
    from ccus.services import build_services

    state = build_services(load_settings())
    context = operator_context(state)
    actor = replace(context.actor, scopes=frozenset({"clients:admin"}))
    issued = state.tokens.issue_access_token(actor, lifetime)
    with state.session() as session:
        draft = AuditDraft(
            "issue_token",
            "access_token",
            "allow",
            basis=[
                {"kind": "scope", "ref": "clients:admin"},
                {"kind": "token", "ref": issued.jti},
            ],
        )
        write_events(session, context, [draft])
        session.commit()
    click.echo(issued.token)


def _acting_as(acts_as: str | None, site_id: str | None) -> str:
    if acts_as == "device":
        return f"device of site {site_id}"
    return acts_as or "the people who log in to it"


@main.command()
@click.option("--dry-run", is_flag=True, help="Count what would be deleted only.")
def retention(dry_run: bool) -> None:
    """Delete rosters and card touches kept past 5 years after handover."""
    from ccus.audit.log import AuditDraft, write_events
    from ccus.clock import jst_date
    from ccus.services import build_services
    from ccus.sites.retention import apply_retention

    state = build_services(load_settings())
    context = operator_context(state)
    with state.session() as session:
        result = apply_retention(session, jst_date(context.now), dry_run)
        if not dry_run:
            drafts = [
                AuditDraft("apply_retention", "roster", "allow", site_id=site_id)
                for site_id in result.site_ids
            ]
            write_events(session, context, drafts)
            session.commit()
    verb = "would delete" if dry_run else "deleted"
    click.echo(
        f"{verb} {result.roster_entries} roster entries and {result.card_touches} "
        f"card touches of {len(result.site_ids)} sites handed over more than "
        "5 years ago"
    )


@main.group()
def audit() -> None:
    """Check the audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Check every link of the audit chain and every signed checkpoint.

    Exits with status 1 and names the first bad entry when the log was
    changed, cut, reordered or extended outside the service.
    """
    from ccus.audit.verify import count_entries, verify_chain
    from ccus.services import build_services

    state = build_services(load_settings())
    with state.session() as session:
        total = count_entries(session)
        with _progress_bar("verify", total, " entries") as bar:
            result = verify_chain(
                session, state.keyring.audit_public_keys(), bar.update
            )
    if result.problem is not None:
        raise click.ClickException(f"audit chain is broken: {result.problem}")
    click.echo(
        f"audit chain verified: {result.entries} entries, "
        f"{result.checkpoints} signed checkpoints"
    )


@main.group()
def demo() -> None:
    """Load and use the demo data set."""


@demo.command("load")
@click.option("--seed", default=20260401, show_default=True, help="Generator seed.")
@click.option("--workers", default=300, show_default=True, help="Number of workers.")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when the database already has data."
)
@click.option(
    "--scenario/--no-scenario",
    default=True,
    show_default=True,
    help="Replay a week of site work and a scripted poaching pattern.",
)
def demo_load(seed: int, workers: int, if_empty: bool, scenario: bool) -> None:
    """Generate the demo data set and load it into an empty database."""
    from tqdm import tqdm

    from ccus.demo.dataset import build_dataset
    from ccus.demo.load import is_empty, load_dataset
    from ccus.idp.holders import holders_path
    from ccus.services import build_services

    state = build_services(load_settings())
    with state.session() as session:
        if not is_empty(session):
            if if_empty:
                click.echo("database already holds data; demo data set not loaded")
                if not holders_path(state.settings.data_dir).exists():
                    _write_card_holders(state, seed, strict=False)
                return
            raise click.ClickException(
                "the database already holds data; load the demo into an empty "
                "database (delete var/ccus.sqlite3 or point CCUS_DATABASE_URL "
                "at a new one)"
            )
        dataset = build_dataset(seed=seed, workers=workers)
        bars: dict[str, tqdm] = {}

        def progress(stage: str, count: int) -> None:
            if stage not in bars:
                bars[stage] = tqdm(
                    desc=stage,
                    unit=" rows",
                    file=sys.stderr,
                    disable=not sys.stderr.isatty(),
                )
            bars[stage].update(count)

        load_dataset(
            session, dataset, state.vault, state.clock(), progress, state.indexer
        )
        for bar in bars.values():
            bar.close()
    click.echo(
        f"loaded {len(dataset.workers)} workers and {len(dataset.touches)} touches"
    )
    _write_card_holders(state, seed)
    if scenario:
        from ccus.demo.scenario import ordinary_week, poaching_pattern

        reads = ordinary_week(state)
        opened = poaching_pattern(state)
        click.echo(
            f"replayed a week of site work ({reads} reads) and a poaching "
            f"pattern ({opened} profiles); see GET /audit/alerts"
        )


def _write_card_holders(state: Services, seed: int, strict: bool = True) -> None:
    """Write the local provider's demo card holders and the staff login indexes.

    Unless ``strict``, a database without the demo's personas only prints why
    no holders were written, so that ``make run`` still serves.
    """
    from ccus.demo.load import read_personas
    from ccus.demo.login import CardHolderError, load_card_holders
    from ccus.idp.holders import holders_path

    path = holders_path(state.settings.data_dir)
    with state.session() as session:
        try:
            holders = load_card_holders(
                session,
                read_personas(session),
                state.vault,
                state.indexer,
                state.staff_login_index,
                path,
                seed,
            )
        except CardHolderError as error:
            message = (
                f"{error}; load the demo into an empty database to write the card "
                "holders"
            )
            if strict:
                raise click.ClickException(message) from None
            click.echo(f"no demo card holders written: {message}")
            return
    click.echo(f"wrote {len(holders)} demo card holders to {path}")


@demo.command("personas")
def demo_personas() -> None:
    """Print the ids of the demo personas' target worker and sites as JSON."""
    from ccus.demo.load import read_personas
    from ccus.services import build_services

    state = build_services(load_settings())
    with state.session() as session:
        personas = read_personas(session)
    if not personas:
        raise click.ClickException("no demo data set is loaded; run 'ccus demo load'")
    shown = {
        "worker_id": personas["worker"],
        "site_id": personas["site_id"],
        "past_site_id": personas["past_site_id"],
        "upcoming_site_id": personas.get("upcoming_site_id"),
    }
    click.echo(json.dumps(shown, indent=2))


@demo.command("token")
@click.argument("persona")
@click.option(
    "--lifetime",
    default=3600,
    show_default=True,
    type=click.IntRange(1, 86400),
    help="Seconds the token stays valid (1 to 86400).",
)
def demo_token(persona: str, lifetime: int) -> None:
    """Print a bearer token for a demo PERSONA, with every scope of its kind."""
    from ccus.demo.load import read_personas
    from ccus.demo.personas import PERSONAS, persona_actor
    from ccus.services import build_services

    if persona not in PERSONAS:
        raise click.BadParameter(
            f"unknown persona {persona!r}; choose one of {', '.join(PERSONAS)}",
            param_hint="PERSONA",
        )
    state = build_services(load_settings())
    with state.session() as session:
        actor = persona_actor(session, read_personas(session), persona)
    click.echo(state.tokens.issue(actor, lifetime_seconds=lifetime))


@main.command()
@click.option("--check", is_flag=True, help="Fail if the committed file differs.")
def openapi(check: bool) -> None:
    """Write the OpenAPI document to openapi/openapi.json."""
    from ccus.openapi_doc import render_openapi

    document = render_openapi()
    if check:
        current = (
            OPENAPI_FILE.read_text(encoding="utf-8") if OPENAPI_FILE.exists() else ""
        )
        if current != document:
            raise click.ClickException(
                f"{OPENAPI_FILE} is out of date; run 'ccus openapi' and commit it"
            )
        click.echo(f"{OPENAPI_FILE} is up to date")
        return
    OPENAPI_FILE.parent.mkdir(exist_ok=True)
    OPENAPI_FILE.write_text(document, encoding="utf-8")
    click.echo(f"wrote {OPENAPI_FILE}")
