"""``newsarchive es start|stop|status``: manage the local Elasticsearch node."""

from __future__ import annotations

import time

import click


@click.group()
def es() -> None:
    """Start, stop and inspect the local Elasticsearch (127.0.0.1, no Docker).

    Data and logs live under $NEWSARCHIVE_HOME/es. When NEWSARCHIVE_ES_URL is set,
    newsarchive uses that cluster instead and never starts its own.
    """


@es.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="HTTP port (default $NEWSARCHIVE_LOCAL_ES_PORT or 9250; 0 = any free port).",
)
def start(port: int | None) -> None:
    """Start the local node and wait until it is ready (a no-op if it runs)."""
    from newsarchive import localnode
    from newsarchive.config import load_settings

    settings = load_settings()
    if not settings.uses_local_node:
        click.echo(f"NEWSARCHIVE_ES_URL is set: using {settings.es_url}; no local node started.")
        return
    began = time.monotonic()
    state, started = localnode.start(settings, port=port)
    if started:
        click.echo(
            f"Elasticsearch {state.version} ready at {state.url} "
            f"(pid {state.pid}, {time.monotonic() - began:.1f}s)"
        )
    else:
        click.echo(
            f"Elasticsearch {state.version} already running at {state.url} (pid {state.pid})"
        )


@es.command()
def stop() -> None:
    """Stop the local node (exit 0 if it was not running)."""
    from newsarchive import localnode
    from newsarchive.config import load_settings

    settings = load_settings()
    if not settings.uses_local_node:
        click.echo(
            f"NEWSARCHIVE_ES_URL is set ({settings.es_url}): there is no local node to stop."
        )
        return
    if localnode.stop(settings):
        click.echo("Elasticsearch stopped.")
    else:
        click.echo("Elasticsearch is not running.")


# The exit code of `es status` for a stopped node, as service managers use it (LSB:
# "program is not running").
NOT_RUNNING = 3


@es.command()
def status() -> None:
    """Say whether Elasticsearch runs, and its URL and version.

    Exits 0 when it runs, 3 when it is stopped (as `systemctl status` does), 1 when a
    configured cluster cannot be reached."""
    from newsarchive import localnode
    from newsarchive.config import load_settings
    from newsarchive.es import connect

    settings = load_settings()
    if settings.uses_local_node:
        state = localnode.read_state(settings)
        if state is None:
            click.echo("stopped (local node; start it with `newsarchive es start`)")
            raise SystemExit(NOT_RUNNING)
        click.echo(
            f"running: Elasticsearch {state.version} at {state.url} (local node, pid {state.pid})"
        )
        return
    info = connect(settings).info().body
    click.echo(
        f"running: Elasticsearch {info['version']['number']} at {settings.es_url} "
        f"(cluster {info.get('cluster_name', '?')})"
    )
