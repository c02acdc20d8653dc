"""``newsarchive extract``: run the article extractor on one saved HTML page."""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path

import click

MAX_FILE_BYTES = 64 * 1024 * 1024  # far above any real page; the extractor reads less


def read_page(path: Path) -> bytes:
    """The page's bytes, gunzipped when the file is gzip; BadParameter when unreadable."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except IsADirectoryError:
        raise click.BadParameter(f"{path} is a directory, not an HTML file") from None
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror or exc}") from None
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise click.BadParameter(f"{path} is not a valid gzip file ({exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise click.BadParameter(f"{path} is larger than {MAX_FILE_BYTES // 2**20} MiB")
    return data


def _politics_lines(record: dict) -> list[tuple[str, object]]:
    if record.get("political") is None:
        return []
    people = [
        f"{p['name']} ({', '.join(x for x in (p.get('party'), p.get('office'), p.get('state')) if x)})"
        f" x{p['mentions']}"
        for p in record.get("people") or []
    ]
    verdict = "yes" if record["political"] else "no"
    return [
        ("political", f"{verdict} (score {record.get('political_score')})"),
        ("people", "; ".join(people)),
        ("parties", ", ".join(record.get("parties") or [])),
    ]


def as_text(record: dict) -> str:
    """A short human-readable rendering: headline, metadata lines, then the body."""
    meta = [
        ("by", ", ".join(record.get("authors") or [])),
        ("published", record.get("published")),
        ("modified", record.get("modified")),
        ("section", record.get("section")),
        ("tags", ", ".join(record.get("tags") or [])),
        ("language", record.get("language")),
        ("url", record.get("canonical_url") or record.get("url")),
        *_politics_lines(record),
    ]
    lines = [record.get("title") or "(no title)", ""]
    lines += [f"{name}: {value}" for name, value in meta if value]
    if record.get("description"):
        lines += ["", record["description"]]
    lines += ["", record.get("body") or "(no article body found)"]
    return "\n".join(lines)


@click.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=True))
@click.option("--url", default="", help="Address the page was fetched from (for links, dates).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="Print the record as JSON or as readable text.",
)
def extract(path: Path, url: str, fmt: str) -> None:
    """Extract the article from a saved HTML page (gzip accepted) and print it.

    Every field comes with its source in "provenance". A page without an article
    gives a record with an empty body.
    """
    from crawler.extract import extract as run

    if url and not url.startswith(("http://", "https://")):
        raise click.BadParameter("expected an http:// or https:// URL", param_hint="--url")
    record = run(read_page(path), url)
    if fmt == "json":
        from search_cli.output import echo_json

        echo_json(record, indent=2)
    else:
        click.echo(as_text(record))
