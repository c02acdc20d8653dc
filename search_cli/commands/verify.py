"""``newsarchive verify``: check every WARC, CDXJ index and article capture, offline."""

from __future__ import annotations

import json

import click

from search_cli.commands._options import output_options


@click.command()
@output_options(("table", "json"))
def verify(output) -> None:
    """Check that the archive in NEWSARCHIVE_HOME can be read back whole.

    Reads every WARC record (and checks its block and payload digests), every CDXJ
    index entry, and the capture of every live article record (the table: a summary
    and each problem on a line; JSON: the whole finding). Exits 0 when nothing
    is damaged, 1 when something is (each problem named by file and offset). Needs no
    network and no Elasticsearch; safe to run beside a crawl.
    """
    from crawler.archive.verify import verify as run
    from newsarchive.config import load_settings
    from search_cli.output import neutralize

    home = load_settings().home
    if not (home / "warc").is_dir():
        raise click.ClickException(f"no archive in {home} (no warc/ folder): nothing to verify")
    result = run(home)
    if output.format == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=True))
    else:
        click.echo(
            f"{result.warc_files} WARC files, {result.warc_records} whole records, "
            f"{result.article_records} article records checked"
        )
        for name in result.open_files:
            click.echo(
                f"open (being written, or left by a crash; indexed on the next crawl): {name}"
            )
        for kind, label in (
            ("damaged", "damaged"),
            ("index_problems", "index"),
            ("unreadable_articles", "unreadable capture"),
        ):
            for line in getattr(result, kind):
                click.echo(f"{label}: {neutralize(line)}")
            shown = len(getattr(result, kind))
            if result.counts.get(kind, 0) > shown:
                click.echo(f"{label}: {result.counts[kind] - shown} more")
        click.echo("ok: nothing is damaged" if result.ok else "DAMAGED: see the lines above")
    if not result.ok:
        raise SystemExit(1)
