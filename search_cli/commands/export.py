"""``newsarchive export QUERY``: every match, streamed, with what a citation needs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from search_cli.commands._searching import (
    build_spec,
    connect,
    fields_option,
    filter_options,
    parse_fields,
    sort_option,
    usage_errors,
)

EXPORT_DEFAULT = (
    "id", "outlet", "published", "modified", "crawled", "title", "authors", "url", "domain",
    "section", "tags", "language", "source_id", "source_tags", "description", "word_count",
    "version", "version_count", "removed", "body",
)  # fmt: skip


@click.command()
@click.argument("query", required=False, default="")
@filter_options
@sort_option("Order of the records")
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to FILE (default: standard output).",
)
@fields_option("default: every field, body included")
@click.option(
    "--versions",
    "versions",
    is_flag=True,
    help="Write the version events of the matches instead (edits with their word diffs, removals).",
)
def export(query: str, sort: str | None, fmt: str, output: Path | None, fields: str | None, versions: bool, **filters) -> None:  # fmt: skip
    """Export every matching article (no 10,000 limit) as JSON Lines or CSV.

    The first JSONL line (or the leading '#' lines of the CSV) records the search,
    the export time and the index snapshot (indices, document counts, cluster), so
    the data set can be cited. A progress bar goes to stderr.
    """
    spec = build_spec(query, filters, sort)
    names = parse_fields(fields, EXPORT_DEFAULT)
    if output is not None and output.parent and not output.parent.exists():
        raise click.BadParameter(f"directory {output.parent} does not exist", param_hint="--output")
    if versions:
        if fields or sort:
            raise click.UsageError(
                "--versions writes every event field in capture order: drop --fields/--sort"
            )
        return _export_versions(spec, fmt, output)
    from search_cli.query.search import export as run_export

    client, settings = connect()
    source = sorted({n for n in names if n not in ("score", "date", "snippet")} | {"id"})
    with usage_errors():
        result = run_export(client, spec, prefix=settings.index_prefix, source=source)
    date_field = spec.filters.date_field
    tmp = output.with_name(output.name + ".part") if output else None
    out = open(tmp, "w", encoding="utf-8", newline="") if tmp else sys.stdout  # noqa: SIM115
    written = 0
    try:
        with (
            usage_errors(),
            click.progressbar(length=result.total, label="exporting", file=sys.stderr) as bar,
        ):
            written = _write(out, fmt, names, result, date_field, bar)
    except BaseException:
        if tmp is not None:
            out.close()
            tmp.unlink(missing_ok=True)  # never leave half an export under the real name
        raise
    if tmp is not None:
        out.close()
        tmp.replace(output)
    where = f" to {output}" if output else ""
    note = f"; {result.undated} undated left out by the date range" if result.undated else ""
    click.echo(f"exported {written} articles{where}{note}", err=True)


def _write(out, fmt: str, names: list[str], result, date_field: str, bar) -> int:
    from search_cli.output import json_line, write_csv

    tty = out.isatty()  # an export printed on a terminal is escaped; a file is exact data

    def rows():
        for hit in result.hits:
            bar.update(1)
            yield hit.as_dict(names, date_field)

    if fmt == "jsonl":
        out.write(json_line(result.meta, terminal=tty) + "\n")
        count = 0
        for row in rows():
            out.write(json_line(row, terminal=tty) + "\n")
            count += 1
        return count
    meta = result.meta["export"]
    out.write(f"# newsarchive export {meta['exported_at']}: {json_line(meta)}\n")
    return write_csv(out, names, rows())


def _export_versions(spec, fmt: str, output: Path | None) -> None:
    """``export --versions``: every edit and removal of the matches, diffs included."""
    from search_cli.commands.versions import write_events
    from search_cli.query.versions import version_events

    client, settings = connect()
    events = version_events(client, spec, prefix=settings.index_prefix, diffs=True)
    tmp = output.with_name(output.name + ".part") if output else None
    out = open(tmp, "w", encoding="utf-8", newline="") if tmp else sys.stdout  # noqa: SIM115
    try:
        with usage_errors():
            written = write_events(out, fmt, events, terminal=out.isatty())
    except BaseException:
        if tmp is not None:
            out.close()
            tmp.unlink(missing_ok=True)
        raise
    if tmp is not None:
        out.close()
        tmp.replace(output)
    where = f" to {output}" if output else ""
    click.echo(f"exported {written} version events{where}", err=True)
