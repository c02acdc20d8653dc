"""``newsarchive kibana setup``: import the saved-objects bundle into Kibana."""

from __future__ import annotations

import os

import click


@click.group()
def kibana() -> None:
    """Explore the corpus in Kibana: data views, a saved search and a dashboard."""


@kibana.command()
@click.option(
    "--kibana-url",
    default=None,
    metavar="URL",
    help="Kibana's address (default $NEWSARCHIVE_KIBANA_URL or http://localhost:5601).",
)
@click.option("--space", default=None, help="Kibana space to import into (default: default).")
@click.option(
    "--bundle",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Another saved-objects NDJSON file (default: the bundle newsarchive ships).",
)
def setup(kibana_url: str | None, space: str | None, bundle: str | None) -> None:
    """Import the data views, saved search and dashboard (overwriting older copies).

    Uses the same credentials and TLS settings as Elasticsearch (NEWSARCHIVE_ES_API_KEY
    or NEWSARCHIVE_ES_USER/_PASSWORD, NEWSARCHIVE_ES_CA_CERT), and data-view titles for
    NEWSARCHIVE_INDEX_PREFIX. Prints the dashboard's URL.
    """
    from pathlib import Path

    from kibana.saved_objects import BUNDLE, DEFAULT_URL, base_url, dashboard_url, import_bundle
    from newsarchive.config import load_settings
    from newsarchive.errors import NewsarchiveError

    url = kibana_url or os.environ.get("NEWSARCHIVE_KIBANA_URL") or DEFAULT_URL
    try:
        base_url(url)
    except NewsarchiveError as exc:
        raise click.BadParameter(str(exc), param_hint="'--kibana-url'") from None
    settings = load_settings()
    result = import_bundle(url, settings, bundle=Path(bundle) if bundle else BUNDLE, space=space)
    click.echo(f"imported {result.get('successCount', 0)} saved objects into Kibana at {url}")
    click.echo(f"dashboard: {dashboard_url(url, space)}")
