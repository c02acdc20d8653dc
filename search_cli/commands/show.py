"""``newsarchive show ID``: one article, its versions with what changed, its capture."""

from __future__ import annotations

import sys

import click

from search_cli.commands._searching import connect, usage_errors


@click.command()
@click.argument("article_id", metavar="ID")
@click.option("--raw", is_flag=True, help="Print the archived HTML of the capture (from the WARC).")
@click.option(
    "--diff",
    is_flag=True,
    help="Print the word diff between two versions (coloured on a terminal).",
)
@click.option(
    "--version",
    "version",
    type=click.IntRange(min=2),
    default=None,
    metavar="N",
    help="With --diff: compare version N with N-1 (default: the latest).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def show(article_id: str, raw: bool, diff: bool, version: int | None, fmt: str) -> None:  # fmt: skip
    """Print an article (ID or its first 6+ characters, as `search` shows them)."""
    if version is not None and not diff:
        raise click.UsageError("--version goes with --diff")
    from search_cli.query.articles import article

    client, settings = connect()
    with usage_errors():
        view = article(client, article_id, prefix=settings.index_prefix)
    if diff:
        from search_cli.commands._diff import echo_diff

        echo_diff(view, version)
    elif raw:
        _raw(settings.home, view.article)
    elif fmt == "json":
        from search_cli.output import echo_json

        echo_json({"article": view.article, "versions": view.versions})
    else:
        _text(view)


def _raw(home, doc: dict) -> None:
    from search_cli.query.capture import read_payload

    payload = read_payload(home, doc.get("capture"))
    if sys.stdout.isatty():  # a terminal would run escape sequences hidden in the page
        from search_cli.output import neutralize

        click.echo(neutralize(payload.decode("utf-8", "replace"), keep_newlines=True))
    else:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()


def _text(view) -> None:
    from search_cli.output import neutralize, terminal_width
    from search_cli.query.capture import describe

    doc = view.article
    width = min(terminal_width(), 100)
    click.echo(click.style(neutralize(doc.get("title")) or "(no title)", bold=True))
    meta = [neutralize(doc.get("outlet")), (doc.get("published") or "undated")]
    if doc.get("authors"):
        meta.append("by " + ", ".join(neutralize(a) for a in doc["authors"]))
    if doc.get("section"):
        meta.append(neutralize(doc["section"]))
    click.echo(" · ".join(m for m in meta if m))
    click.echo(neutralize(doc.get("url")))
    click.echo(
        f"id {doc.get('id')} · version {doc.get('version')} of {doc.get('version_count')} · "
        f"first seen {doc.get('first_seen')} · last seen {doc.get('last_seen')}"
    )
    if doc.get("removed"):
        click.echo(
            f"REMOVED from the site at {doc.get('removed_at')} ({doc.get('removed_reason')})"
        )
    click.echo(f"capture: {describe(doc.get('capture'))}, fetched {doc.get('crawled')}")
    click.echo("")
    if doc.get("description"):
        click.echo(_wrap(neutralize(doc["description"]), width))
        click.echo("")
    for paragraph in (doc.get("body") or "").split("\n"):
        if paragraph.strip():
            click.echo(_wrap(neutralize(paragraph), width))
            click.echo("")
    if view.versions:
        click.echo(click.style(f"Versions ({len(view.versions)})", bold=True))
        previous = None
        for version in view.versions:
            changed = ", ".join(version.get("changed_fields") or []) or "first capture"
            click.echo(f"  v{version.get('version')}  {version.get('crawled')}  {changed}")
            if previous is not None:
                for line in version_diff(previous, version, width - 6):
                    click.echo("      " + line)
            previous = version


def _wrap(text: str, width: int) -> str:
    import textwrap

    return textwrap.fill(text, width=width)


def version_diff(old: dict, new: dict, width: int) -> list[str]:
    """A readable diff of two versions: words for short fields, paragraphs for the body."""
    import difflib

    from search_cli.output import fit, neutralize

    lines: list[str] = []
    for fld in ("title", "description", "authors", "published", "modified"):
        before, after = old.get(fld), new.get(fld)
        if before == after:
            continue
        if isinstance(before, list) or isinstance(after, list):
            before, after = ", ".join(before or []), ", ".join(after or [])
        lines.append(
            f"{fld}: " + word_diff(neutralize(str(before or "")), neutralize(str(after or "")))
        )
    old_body = [p for p in (old.get("body") or "").split("\n") if p.strip()]
    new_body = [p for p in (new.get("body") or "").split("\n") if p.strip()]
    if old_body != new_body:
        lines.append("body:")
        matcher = difflib.SequenceMatcher(a=old_body, b=new_body, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            if tag == "replace" and i2 - i1 == j2 - j1:
                for a, b in zip(old_body[i1:i2], new_body[j1:j2], strict=True):
                    lines.append("  ~ " + fit(word_diff(neutralize(a), neutralize(b)), width * 3))
                continue
            lines.extend("  - " + fit(neutralize(p), width) for p in old_body[i1:i2])
            lines.extend("  + " + fit(neutralize(p), width) for p in new_body[j1:j2])
    return lines


def word_diff(before: str, after: str) -> str:
    """``"a [-b-]{+c+} d"``: the changed words marked as git's --word-diff does."""
    import difflib

    a, b = before.split(), after.split()
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(a[i1:i2])
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)
