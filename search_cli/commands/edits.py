"""``newsarchive edits QUERY``: every edit and removal of the matching articles
(``versions ID`` lists the versions of one article)."""

from __future__ import annotations

import sys

import click

from search_cli.commands._searching import build_spec, connect, filter_options, usage_errors


@click.command()
@click.argument("query", required=False, default="")
@filter_options
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Events shown, newest first.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl"]),
    default="table",
    show_default=True,
)
def edits(query: str, limit: int, fmt: str, **filters) -> None:  # fmt: skip
    """List version events of the matching articles, newest first: each edit (which
    fields changed, words added and removed, correction notices) and each removal.

    `export --versions` writes all of them with their word diffs; `show ID --diff`
    shows one.

    \b
    Example:
      newsarchive edits 'budget' --outlet Reuters --headline-changed
    """
    from search_cli.query.versions import latest_events

    spec = build_spec(query, filters)
    client, settings = connect(light=False)
    with usage_errors():
        events, total = latest_events(client, spec, prefix=settings.index_prefix, limit=limit)
    if fmt == "json":
        from search_cli.output import echo_json

        echo_json(
            {"search": spec.describe(), "total": total, "events": [e.as_dict() for e in events]}
        )
        return
    if fmt == "jsonl":
        from search_cli.output import json_line

        for event in events:
            click.echo(json_line(event.as_dict(), terminal=sys.stdout.isatty()))
        return
    _table(events, total)


def _table(events, total: int) -> None:
    from search_cli.output import fit, neutralize, terminal_width

    width = terminal_width()
    click.echo(
        f"{total} version events" + (f", the {len(events)} newest:" if total > len(events) else ":")
    )
    for e in events:
        when = (e.time or "?")[:16].replace("T", " ")
        if e.event == "removed":
            what = f"REMOVED ({e.reason or 'gone'})"
        else:
            what = f"v{e.version}: {', '.join(e.changed_fields) or '?'} +{e.words_added}/-{e.words_removed} words"
            if e.corrections:
                what += f" · {len(e.corrections)} notice(s)"
        click.echo(f"{when}  {fit(neutralize(e.outlet), 20):<20}  {what}")
        click.echo(
            "    "
            + fit(neutralize(e.title) or "(no title)", width - 4)
            + f"  [{e.article_id[:10]}]"
        )


def write_events(out, fmt: str, events, *, terminal: bool) -> int:
    """``export --versions``: one line (JSONL) or row (CSV) per event, diffs included."""
    from search_cli.output import json_line, write_csv

    if fmt == "jsonl":
        count = 0
        for event in events:
            out.write(json_line(event.as_dict(), terminal=terminal) + "\n")
            count += 1
        return count
    columns = ["article_id", "outlet", "url", "title", "event", "version", "time",
               "changed_fields", "words_added", "words_removed", "corrections", "reason", "diff"]  # fmt: skip

    def rows():
        for event in events:
            row = event.as_dict()
            row["corrections"] = [c.get("text") for c in row["corrections"]]
            row["diff"] = "\n".join(f"{k}: {v}" for k, v in (row.get("diff") or {}).items())
            yield row

    return write_csv(out, columns, rows())
