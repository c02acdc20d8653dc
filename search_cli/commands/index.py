"""``newsarchive index``: load article records into Elasticsearch (see docs/indexing.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from search_cli.commands._options import output_options


def _parse_since(value: str | None):
    from newsarchive.dates import DateError, parse_since

    try:
        return parse_since(value)
    except DateError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None


class _Progress:
    """The status line of a load: how much of the record files is read (nothing when
    there is nothing to read, and nothing off a terminal)."""

    def __init__(self, label: str, enabled: bool) -> None:
        from search_cli.progress import StatusLine

        self.label = label
        self.status = StatusLine(enabled=enabled)

    def __call__(self, done: int, total: int) -> None:
        if total > 0:
            mb = 1024 * 1024
            self.status.update(
                f"{self.label}: {100 * done // total}% of {total / mb:.1f} MB of records "
                f"({self.status.rate(done / mb)[:-2]} MB/s)"
            )

    def close(self) -> None:
        self.status.clear()


@click.command()
@click.option("--all", "all_records", is_flag=True, help="Load every record, not only new ones.")
@click.option("--since", metavar="DATE", help="Load records captured at or after DATE.")
@click.option(
    "--rebuild", is_flag=True, help="Build fresh indices from all records, then swap the aliases."
)
@click.option(
    "--records",
    type=click.Path(path_type=Path),
    help="With --rebuild: the record set to build from (e.g. articles/reextract-<time>).",
)
@click.option(
    "--retry-dead-letters",
    "retry",
    is_flag=True,
    help="Load the records of NEWSARCHIVE_HOME/dead-letter/ again (after fixing the cause).",
)
@click.option("--prune", is_flag=True, help="Delete old indices that no alias points at.")
@click.option("--shards", type=click.IntRange(1, 1024), help="Primary shards of new indices.")
@click.option("--replicas", type=click.IntRange(0, 16), help="Replicas of new indices.")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=500,
    hidden=True,
    help="Records per bulk request.",
)
@output_options(("table", "json"))
@click.option("-q", "--quiet", is_flag=True, help="No progress line.")
def index(
    all_records: bool,
    since: str | None,
    rebuild: bool,
    records: Path | None,
    retry: bool,
    prune: bool,
    shards: int | None,
    replicas: int | None,
    batch_size: int,
    output,
    quiet: bool,
) -> None:
    """Load new article records into Elasticsearch.

    Reads NEWSARCHIVE_HOME/articles/articles.jsonl from where the last run stopped
    (a checkpoint per file), writes in bulk and prints a summary. Loading is
    idempotent: running it twice, or again after a kill, changes nothing. Records
    Elasticsearch rejects go to NEWSARCHIVE_HOME/dead-letter/ and the exit code is 1.
    """
    from indexer import operations
    from indexer.setup import ensure_indices
    from newsarchive.config import load_settings
    from newsarchive.errors import NewsarchiveError
    from newsarchive.es import connect

    moment = _parse_since(since)
    if rebuild and (all_records or moment):
        raise click.UsageError("--rebuild always reads every record: drop --all/--since")
    if records is not None and not rebuild:
        raise click.UsageError("--records only goes with --rebuild")
    if retry and (rebuild or all_records or moment):
        raise click.UsageError(
            "--retry-dead-letters reads the dead letters only: drop the other options"
        )
    settings = load_settings()
    client = connect(settings)
    if shards is not None or replicas is not None:
        ensure_indices(client, settings.index_prefix, shards=shards, replicas=replicas)
    if prune and not rebuild and not (all_records or moment):
        dropped = operations.prune(settings, client=client)
        click.echo(
            f"deleted {len(dropped)} old indices" + (f": {', '.join(dropped)}" if dropped else "")
        )
        return
    bar = _Progress("rebuilding" if rebuild else "indexing", enabled=not quiet)
    try:
        if retry:
            summary = operations.retry_dead_letters(
                settings, client=client, batch_records=batch_size
            )
        elif rebuild:
            summary, new = operations.rebuild(
                settings, records=records, progress=bar, client=client, batch_records=batch_size
            )
            summary.notes.append(f"aliases now point at {', '.join(new.values())}")
        else:
            summary = operations.index_new_records(
                settings,
                all_records=all_records,
                since=moment,
                progress=bar,
                client=client,
                batch_records=batch_size,
            )
    finally:
        bar.close()
    if prune:
        dropped = operations.prune(settings, client=client)
        summary.notes.append(f"deleted {len(dropped)} old indices")
    if output.format == "json":
        click.echo(json.dumps(summary.as_dict()))
    else:
        for note in summary.notes:
            click.echo(f"note: {note}", err=True)
        click.echo(summary.line())
    if summary.rejected:
        from search_cli.output import plural

        were = "was" if summary.rejected == 1 else "were"
        raise NewsarchiveError(
            f"{plural(summary.rejected, 'record')} {were} rejected; they and the reasons are in "
            f"{summary.dead_letter or 'the dead-letter directory'}"
        )
