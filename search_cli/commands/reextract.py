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
@click.option(
    "--promote",
    "promote_set",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Make the record set in DIR (made by an earlier reextract) the live one; "
    "the previous live records are kept beside it.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress line.")
def reextract(out: Path | None, promote_set: Path | None, quiet: bool) -> None:
    """Re-run the current extractor over every archived article page.

    Reads only NEWSARCHIVE_HOME/warc (no network) and writes a new articles.jsonl
    plus summary.json; the live articles/articles.jsonl is left untouched.

    \b
    To adopt the new records (e.g. after an extractor upgrade):
      newsarchive reextract                      # writes articles/reextract-<time>/
      newsarchive reextract --promote articles/reextract-<time>
      newsarchive index --rebuild                # the index follows the live records
    """
    from newsarchive.config import load_settings

    home = load_settings().home
    if promote_set is not None and out is not None:
        raise click.UsageError("use either --out or --promote, not both")
    if out is not None and out.exists() and not out.is_dir():
        raise click.BadParameter(f"{out} is not a directory", param_hint="--out")
    try:
        if promote_set is not None:
            _promote(home, promote_set)
        else:
            _reextract(home, out, quiet)
    except OSError as exc:  # a full disk, a folder that cannot be written: one line, exit 1
        where = f" ({exc.filename})" if exc.filename else ""
        raise click.ClickException(
            f"cannot write the record set: {exc.strerror or exc}{where}"
        ) from None


def _reextract(home: Path, out: Path | None, quiet: bool) -> None:
    from crawler.archive.reextract import reextract as run
    from search_cli.progress import StatusLine

    status = StatusLine(enabled=not quiet)

    def progress(done: dict) -> None:
        status.update(
            f"re-extracting: WARC file {done['file']} of {done['files']} · {done['articles']} "
            f"articles ({status.rate(done['articles'])}) · {done['new']} new · "
            f"{done['changed']} changed"
        )

    try:
        summary = run(home, out=out, progress=progress if status.live else None)
    finally:
        status.clear()
    click.echo(
        f"re-extracted {summary['articles']} article captures from {summary['warc_files']} "
        f"WARC files: {summary['new']} new, {summary['changed']} changed, "
        f"{summary['unchanged']} unchanged, {summary['removed']} removed"
        + (f", {summary['missing']} without a readable capture" if summary["missing"] else "")
    )
    _damage(summary.get("damaged") or [])
    click.echo(f"records: {summary['records']}")
    if summary.get("live_records") is None:
        click.echo("crawls ran while this set was made: it cannot be promoted; run reextract again")
    else:
        click.echo(f"to make it the live set: newsarchive reextract --promote {summary['out']}")


def _damage(damaged: list[str]) -> None:
    """Name what could not be read, on stderr: the first few places and how many."""
    for line in damaged[:10]:
        click.echo(f"damaged: warc/{line}", err=True)
    if len(damaged) > 10:
        click.echo(f"damaged: {len(damaged) - 10} more (see summary.json)", err=True)


def _promote(home: Path, record_set: Path) -> None:
    from crawler.archive.reextract import promote

    if not record_set.is_absolute() and not record_set.exists():
        record_set = Path(home) / record_set
    done = promote(home, record_set)
    click.echo(f"promoted {done['from']}: {done['live']} now holds its {done['records']} records")
    if done["kept"]:
        click.echo(f"the previous live records are kept in {done['kept']}")
    if done["kept_live_articles"]:
        click.echo(
            f"kept the live records of {len(done['kept_live_articles'])} articles whose "
            "captures could not be read again (run `newsarchive verify`): "
            + ", ".join(done["kept_live_articles"][:10])
            + (" ..." if len(done["kept_live_articles"]) > 10 else "")
        )
    _damage(done["damaged"])
    click.echo("next: newsarchive index --rebuild (the index still holds the previous records)")
