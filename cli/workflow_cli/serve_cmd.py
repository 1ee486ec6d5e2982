"""``workflow serve``: the HTTP API and the case inspector over the case store (the ``web`` extra)."""

from __future__ import annotations

import click

from workflow.errors import MissingExtra

from .status import OK
from .store_cmd import db_option


@click.command(name="serve", short_help="Serve the stored cases over HTTP: the JSON API and the inspector pages.")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="The port to listen on.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (each with its store).",
)
@click.option(
    "--token",
    envvar="WORKFLOW_TOKEN",
    show_envvar=True,
    help="The bearer token writes need; required to listen beyond loopback.",
)
def serve(db: str, host: str, port: int, workers: int, token: str | None) -> int:
    """Serve the cases in the store over HTTP: the JSON API under /api, the inspector at /, /openapi.json.

    Listens on loopback unless --host says otherwise; beyond loopback it refuses to start without a token.
    """
    try:
        from workflow.web.server import serve as run
    except ImportError as e:
        raise MissingExtra("workflow serve", f"the web extra's packages ({e})", "web") from e
    run(db, host=host, port=port, workers=workers, token=token or None)
    return OK
