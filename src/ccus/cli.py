"""The ``ccus`` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ccus.config import Settings
from ccus.config import load_settings as _load_settings

OPENAPI_FILE = Path("openapi") / "openapi.json"


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
    """Create local development keys under the keys folder if absent."""
    from ccus.crypto.keyring import create_local_keyring

    settings = load_settings()
    if settings.production:
        raise click.ClickException(
            "refusing to create keys in production mode; provide the production "
            f"keyring at {settings.keys_dir}"
        )
    created = create_local_keyring(settings.keys_dir)
    state = "created" if created else "already present"
    click.echo(f"keyring {settings.keys_dir / 'keyring.json'} {state}")


@main.group()
def demo() -> None:
    """Load and use the demo data set."""


@demo.command("load")
@click.option("--seed", default=20260401, show_default=True, help="Generator seed.")
@click.option("--workers", default=300, show_default=True, help="Number of workers.")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing when the database already has data."
)
def demo_load(seed: int, workers: int, if_empty: bool) -> None:
    """Generate the demo data set and load it into an empty database."""
    from tqdm import tqdm

    from ccus.demo.dataset import build_dataset
    from ccus.demo.load import is_empty, load_dataset
    from ccus.services import build_services

    state = build_services(load_settings())
    with state.session() as session:
        if not is_empty(session):
            if if_empty:
                click.echo("database already holds data; demo data set not loaded")
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

        load_dataset(session, dataset, state.vault, state.clock(), progress)
        for bar in bars.values():
            bar.close()
    click.echo(
        f"loaded {len(dataset.workers)} workers and {len(dataset.touches)} touches"
    )


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
    """Print a bearer token for a demo PERSONA."""
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
