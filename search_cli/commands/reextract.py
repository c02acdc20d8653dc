"""``newsarchive reextract``: rebuild article records from the WARC files, offline."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for the new record set (default: articles/reextract-<UTC time>/).",
)
def reextract(out: Path | None) -> None:
    """Re-run the current extractor over every archived article page.

    Reads only NEWSARCHIVE_HOME/warc (no network) and writes a new articles.jsonl
    plus summary.json; the live articles/articles.jsonl is left untouched.
    """
    from crawler.archive.reextract import reextract as run
    from newsarchive.config import load_settings

    home = load_settings().home
    if out is not None and out.exists() and not out.is_dir():
        raise click.BadParameter(f"{out} is not a directory", param_hint="--out")
    summary = run(home, out=out)
    click.echo(
        f"re-extracted {summary['articles']} article captures from {summary['warc_files']} "
        f"WARC files: {summary['new']} new, {summary['changed']} changed, "
        f"{summary['unchanged']} unchanged, {summary['removed']} removed"
        + (f", {summary['missing']} without their capture" if summary["missing"] else "")
    )
    click.echo(f"records: {summary['records']}")
