"""``newsarchive export QUERY``: every match (or a sample), streamed, with what a citation
needs: the data file opens cleanly (row 1 of a CSV is its header) and the provenance
goes beside it, in ``<name>.meta.json``."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import click

from newsarchive.errors import NewsarchiveError
from search_cli.commands._options import columns, output_options, show_query_option
from search_cli.commands._searching import (
    QUERY_HELP,
    QueryCommand,
    build_spec,
    connect,
    filter_options,
    index_prefix,
    show_request,
    sort_option,
    usage_errors,
)
from search_cli.query.fields import OUTPUT_FIELDS

EXPORT_FORMATS = ("jsonl", "csv", "tsv", "json", "wacz")
# Every field a row can carry, in this order: the article, where and when it was seen,
# and the capture a citation points at (its WARC record); the body last.
EXPORT_DEFAULT = (
    "id", "outlet", "published", "modified", "crawled", "first_seen", "last_seen", "title",
    "authors", "url", "canonical_url", "domain", "section", "tags", "language", "source_id",
    "source_tags", "description", "word_count", "version", "version_count", "removed",
    "warc_file", "warc_offset", "warc_length", "warc_digest", "warc_record_id", "body",
)  # fmt: skip


@click.command(
    cls=QueryCommand,
    help=f"""Export every matching article (no 10,000 limit), or a random sample of them.

Rows are plain data: JSON Lines (default), CSV or TSV whose first row is the header,
or one JSON document. With -o FILE, the provenance (the search, the export time, the
index snapshot, the sample drawn, the file's SHA-256) is written beside it as
FILE's .meta.json (`out.csv` -> `out.meta.json`); on standard output, name it with
--meta. The file appears only when complete. --format wacz -o FILE.wacz packs
the captures of the matches as a WACZ (replayable, with the search inside);
--versions writes their edit and removal events instead. {QUERY_HELP}

A sample for content coding is drawn again identically from the same corpus with the
same seed: it is the matches with the lowest sha256("<seed>:<id>").

\b
Examples:
  newsarchive export impeachment --csv -o impeachment.csv
  newsarchive export impeachment --sample 200 --seed 7 --csv -o sample.csv
  newsarchive export '' --from 2019 --per-outlet 20 --seed 7 -o coding.jsonl
""",
)
@click.argument("query", required=False, default="")
@filter_options
@sort_option("Order of the records")
@click.option(
    "-o",
    "--output",
    "output_file",
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    help="Write to FILE and its provenance to FILE's .meta.json ('-': standard output).",
)
@click.option(
    "--meta",
    "meta_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the provenance to this file (default with -o: beside the output).",
)
@click.option(
    "--sample",
    type=click.IntRange(1, 65_536),
    metavar="N",
    help="A random sample of N matches instead of all.",
)
@click.option(
    "--per-outlet",
    type=click.IntRange(1, 65_536),
    metavar="N",
    help="A random sample of N matches of each outlet (stratified).",
)
@click.option(
    "--seed",
    type=int,
    metavar="S",
    help="Seed of the sample (default: a random one, printed and recorded).",
)
@click.option(
    "--versions",
    "versions",
    is_flag=True,
    help="Write the version events of the matches instead (edits with their word "
    "diffs, removals), as JSON Lines or CSV.",
)
@output_options(
    EXPORT_FORMATS,
    default="jsonl",
    fields=OUTPUT_FIELDS,
    fields_help="default: every field, body included",
)
@show_query_option
def export(query: str, sort: str | None, output_file: Path | None, meta_file: Path | None, sample: int | None, per_outlet: int | None, seed: int | None, versions: bool, output, show_query: bool, **filters) -> None:  # fmt: skip
    from search_cli.query.fields import source_fields
    from search_cli.query.search import Sample, export_request
    from search_cli.query.search import export as run_export

    spec = build_spec(query, filters, sort)
    names = columns(output, OUTPUT_FIELDS, EXPORT_DEFAULT)
    to_stdout = output_file is None or str(output_file) == "-"
    for path, option in ((None if to_stdout else output_file, "--output"), (meta_file, "--meta")):
        if path is not None and not path.parent.is_dir():
            raise click.BadParameter(f"directory {path.parent} does not exist", param_hint=option)
    if sample and per_outlet:
        raise click.UsageError("use either --sample N or --per-outlet N, not both")
    if seed is not None and not (sample or per_outlet):
        raise click.UsageError("--seed goes with --sample or --per-outlet")
    if versions:
        if output.fields or sort or sample or per_outlet:
            raise click.UsageError(
                "--versions writes every event field in capture order: drop "
                "--fields/--sort/--sample/--per-outlet"
            )
        if output.format not in ("jsonl", "csv"):
            raise click.UsageError("--versions writes JSON Lines or CSV")
        return _export_versions(spec, output.format, None if to_stdout else output_file)
    if output.format == "wacz":
        if to_stdout:
            raise click.UsageError("a WACZ is a file: name it with -o FILE.wacz")
        if output.fields or sample or per_outlet:
            raise click.UsageError(
                "a WACZ holds whole captures: drop --fields/--sample/--per-outlet"
            )
        return _export_wacz(spec, output_file)
    source = source_fields(names, spec.filters.date_field)
    if show_query:
        with usage_errors():
            index, body = export_request(spec, prefix=index_prefix(), source=source)
        show_request(
            index,
            body,
            "export reads every match through a point in time, page by page (search_after)",
        )
        return
    drawn = None
    if sample or per_outlet:
        if seed is None:
            import secrets

            seed = secrets.randbelow(1_000_000)
            click.echo(f"sample seed {seed} (give --seed {seed} to draw the same sample)", err=True)
        with usage_errors():
            drawn = Sample(size=sample, per_outlet=per_outlet, seed=seed)
    client, settings = connect(light=False)
    with usage_errors():
        result = run_export(client, spec, prefix=settings.index_prefix, source=source, sample=drawn)
    meta = result.meta["export"]
    target = None if to_stdout else output_file
    if target is not None and meta_file is None:
        meta_file = target.with_name(target.name.removesuffix(target.suffix) + ".meta.json")
    written, digest = _write_atomically(target, output, names, result, spec.filters.date_field)
    where = f" to {target}" if target else ""
    note = f"; {result.undated} undated left out by the date range" if result.undated else ""
    from search_cli.output import plural

    click.echo(f"exported {plural(written, 'article')}{where}{note}", err=True)
    if meta_file is not None:
        meta.update(
            file=target.name if target else None, format=output.format, fields=names, rows=written
        )
        if target is not None:
            meta["sha256"] = digest
        _write_json(meta_file, {"export": meta})
        click.echo(f"provenance: {meta_file}", err=True)
    elif to_stdout and output.format != "json":  # a JSON export carries it in-band
        click.echo("provenance not saved: add --meta FILE to keep it", err=True)


def _write_atomically(
    target: Path | None, output, names, result, date_field: str
) -> tuple[int, str]:
    """Write the rows to ``target`` (via FILE.part, renamed when complete) or stdout;
    returns the rows written and the SHA-256 of the file's bytes."""
    tmp = target.with_name(target.name + ".part") if target else None
    out = open(tmp, "w", encoding="utf-8", newline="") if tmp else sys.stdout  # noqa: SIM115
    hashed = _Hashing(out)
    try:
        with usage_errors():
            written = _rows(hashed, output, names, result, date_field)
    except BaseException:
        if tmp is not None:
            out.close()
            tmp.unlink(missing_ok=True)  # never leave half an export under the real name
        raise
    if tmp is not None:
        out.close()
        tmp.replace(target)
    return written, hashed.sha256.hexdigest()


def _rows(out, output, names: list[str], result, date_field: str) -> int:
    from search_cli.output import json_line
    from search_cli.progress import StatusLine
    from search_cli.render import emit

    status = StatusLine()
    done = 0

    def rows():
        nonlocal done
        for hit in result.hits:
            done += 1
            status.update(f"exporting: {done}/{result.total} ({status.rate(done)})")
            yield hit.as_dict(names, date_field)

    try:
        if output.format == "json":  # one document: the provenance, then the rows
            tty = _isatty(out)
            out.write(
                '{"export": ' + json_line(result.meta["export"], terminal=tty) + ',\n"results": ['
            )
            n = 0
            for row in rows():
                out.write((",\n" if n else "\n") + json_line(row, terminal=tty))
                n += 1
            out.write("\n]}\n")
            return n
        return emit(output, rows(), names, stream=out)
    finally:
        status.clear()


def _isatty(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Hashing:
    """A text stream that also hashes what is written (UTF-8), for the provenance."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.sha256 = hashlib.sha256()

    def write(self, text: str) -> int:
        self.sha256.update(text.encode("utf-8"))
        return self.stream.write(text)

    def isatty(self) -> bool:
        return _isatty(self.stream)


def _write_json(path: Path, data: dict) -> None:
    from search_cli.output import json_line

    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json_line(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def _export_wacz(spec, target: Path) -> None:
    """``export --format wacz``: the captures of every match as one WACZ package, the
    search and the index snapshot in its ``datapackage.json``."""
    from crawler.archive.wacz import write_wacz
    from search_cli.output import plural
    from search_cli.query.search import export as run_export

    client, settings = connect(light=False)
    source = ["id", "url", "title", "crawled", "capture"]
    with usage_errors():
        result = run_export(client, spec, prefix=settings.index_prefix, source=source)
        pages = [
            {"id": h.id, "url": h.source.get("url"), "title": h.source.get("title"),
             "fetched_at": h.source.get("crawled"), "capture": h.source.get("capture")}
            for h in result.hits
            if h.source.get("capture") and h.source.get("url") and h.source.get("crawled")
        ]  # fmt: skip
    if not pages:
        raise NewsarchiveError("no match has a capture to package: nothing written")
    title = f"newsarchive export: {spec.query or '(every article)'}"
    summary = write_wacz(target, settings.home / "warc", pages, title=title, metadata=result.meta)
    click.echo(
        f"exported {plural(len(pages), 'article')} to {target} ({summary['bytes']:,} bytes, WACZ)",
        err=True,
    )


def _export_versions(spec, fmt: str, output: Path | None) -> None:
    """``export --versions``: every edit and removal of the matches, diffs included."""
    from search_cli.commands.edits import write_events
    from search_cli.query.versions import version_events

    client, settings = connect(light=False)
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
