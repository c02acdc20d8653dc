"""``newsarchive show ID``: one article, its versions with what changed, its capture."""

from __future__ import annotations

import sys

import click

from newsarchive.errors import NewsarchiveError
from search_cli.commands._options import output_options
from search_cli.commands._searching import connect, usage_errors


@click.command()
@click.argument("key", metavar="ID|URL")
@click.option(
    "--raw",
    is_flag=True,
    help="Print the archived HTML of the capture, read from the WARC (no Elasticsearch needed).",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the word diff between two versions (coloured on a terminal).",
)
@click.option(
    "--version",
    "version",
    type=click.IntRange(1),
    metavar="N",
    help="With --raw: the capture of version N (default: the latest). With --diff: "
    "version N against N-1 (default: the latest).",
)
@click.option(
    "--replay",
    is_flag=True,
    help="Print the replay address of each version (served by `newsarchive replay`).",
)
@output_options(("table", "json"))
def show(key: str, raw: bool, diff: bool, version: int | None, replay: bool, output) -> None:
    """Print an article: by ID (or its first 6+ characters, as `search` shows them) or
    by URL. The table view is the article, its versions with what changed, and its
    capture; JSON gives every version with its rebuilt text.

    \b
    Examples:
      newsarchive show 1ace75c2a2
      newsarchive show https://example.org/2019/06/14/tax-cuts/
      newsarchive show 1ace75c2a2 --raw --version 2 > v2.html
      newsarchive show 1ace75c2a2 --diff
      newsarchive show 1ace75c2a2 --replay
    """
    if version is not None and not (raw or diff):
        raise click.UsageError("--version goes with --raw or --diff")
    if diff and version == 1:
        raise click.BadParameter("version 1 has no version before it", param_hint="--version")
    if raw:
        return _raw(key, version)
    from search_cli.query.articles import article

    client, settings = connect()
    with usage_errors():
        view = article(client, key, prefix=settings.index_prefix)
    if diff:
        from search_cli.commands._diff import echo_diff

        return echo_diff(view, version)
    if replay:
        return _replay_urls(view)
    copies, in_story = [], 0
    if view.article.get("story_id"):
        from search_cli.query.articles import story_copies

        with usage_errors():
            copies, in_story = story_copies(
                client, view.article["story_id"], prefix=settings.index_prefix
            )
    if output.format == "json":
        from search_cli.output import echo_json

        echo_json(
            {"article": view.article, "versions": view.versions,
             "story": {"articles": in_story, "first": copies}}
        )  # fmt: skip
    else:
        _text(view)
        _story(view.article, copies, in_story)


def _replay_urls(view) -> None:
    """One line per version: its number, capture time and where it replays."""
    from crawler.archive.replay import DEFAULT_BASE as base
    from crawler.archive.replay import replay_url, timeline_url
    from search_cli.output import neutralize

    url = view.article.get("url") or ""
    for v in view.versions or [view.article]:
        when = v.get("crawled")
        if when:
            address = replay_url(base, when, v.get("url") or url)
            click.echo(f"v{v.get('version')}\t{when}\t{neutralize(address)}")
    click.echo(f"all\t\t{neutralize(timeline_url(base, url))}")


def _raw(key: str, version: int | None) -> None:
    """The capture's HTML: its pointer from the local records, else from the index."""
    from newsarchive.config import load_settings
    from search_cli.query.capture import local_version, read_payload

    settings = load_settings()
    with usage_errors():
        record = local_version(settings.home, key, version=version)
    if record is None:
        if version is not None:
            raise NewsarchiveError(
                f"no record of {key!r} in {settings.home / 'articles'}: older versions are "
                "read from the local archive (is NEWSARCHIVE_HOME the archive?)"
            )
        from search_cli.query.articles import article

        client, settings = connect()
        with usage_errors():
            record = article(client, key, prefix=settings.index_prefix).article
    payload = read_payload(settings.home, record.get("capture"))
    if sys.stdout.isatty():  # a terminal would run escape sequences hidden in the page
        from search_cli.output import neutralize

        click.echo(neutralize(payload.decode("utf-8", "replace"), keep_newlines=True))
    else:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()


def _text(view) -> None:
    from search_cli.output import neutralize, terminal_width, use_color
    from search_cli.query.capture import describe

    doc = view.article
    width = min(terminal_width(), 100)
    title = neutralize(doc.get("title")) or "(no title)"
    click.echo(click.style(title, bold=True) if use_color() else title)
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
    for line in understanding(doc):
        click.echo(neutralize(line))
    click.echo("")
    if doc.get("description"):
        click.echo(_wrap(neutralize(doc["description"]), width))
        click.echo("")
    for paragraph in (doc.get("body") or "").split("\n"):
        if paragraph.strip():
            click.echo(_wrap(neutralize(paragraph), width))
            click.echo("")
    if view.versions:
        heading = f"Versions ({len(view.versions)})"
        click.echo(click.style(heading, bold=True) if use_color() else heading)
        previous = None
        for version in view.versions:
            changed = ", ".join(version.get("changed_fields") or []) or "first capture"
            click.echo(f"  v{version.get('version')}  {version.get('crawled')}  {changed}")
            if previous is not None:
                for line in version_diff(previous, version, width - 6):
                    click.echo("      " + line)
            previous = version


def _story(doc: dict, copies: list[dict], total: int) -> None:
    """The other articles of the article's story, earliest first."""
    from search_cli.output import neutralize, use_color

    if total < 2:
        return
    heading = f"Same story ({total} articles, earliest first)"
    click.echo(click.style(heading, bold=True) if use_color() else heading)
    for c in copies:
        mark = "*" if c.get("id") == doc.get("id") else " "
        similarity = c.get("story_similarity")
        similar = f"  {similarity:.2f}" if isinstance(similarity, float) else "  root"
        click.echo(
            f" {mark}{(c.get('first_seen') or '')[:16]}  {neutralize(c.get('outlet'))}"
            f"{similar}  {neutralize(c.get('url'))}"
        )
    if total > len(copies):
        click.echo(f"  ... and {total - len(copies)} more: search story:{doc.get('story_id')}")


def understanding(doc: dict) -> list[str]:
    """What the corpus knows of the article beyond its text: the political flag, the
    people and parties it names, its story and wire, a fact-check's verdicts."""
    lines = []
    if doc.get("political") is not None:
        score = doc.get("political_score")
        flag = "political" if doc["political"] else "not political"
        lines.append(f"{flag}" + (f" (score {score:.2f})" if isinstance(score, float) else ""))
    people = doc.get("people") or []
    if people:
        named = []
        for p in people:
            party = (p.get("party") or "")[:1]
            office = ", ".join(x for x in (party, p.get("office"), p.get("state")) if x)
            named.append(f"{p.get('name')}" + (f" ({office})" if office else "")
                         + f" ×{p.get('mentions', 1)}")  # fmt: skip
        lines.append("people: " + "; ".join(named))
    if doc.get("parties"):
        lines.append("parties: " + ", ".join(doc["parties"]))
    if doc.get("duplicate_of"):
        similarity = doc.get("story_similarity")
        lines.append(
            f"story {doc.get('story_id')}: a copy of {doc['duplicate_of']}"
            + (f" ({similarity:.2f} contained)" if isinstance(similarity, float) else "")
        )
    if doc.get("syndicated_from"):
        lines.append(f"wire: {doc['syndicated_from']} (by {doc.get('syndicated_by')})")
    for review in doc.get("claim_reviews") or []:
        scale = ""
        if review.get("rating_value") is not None and review.get("best_rating") is not None:
            scale = f" ({review['rating_value']:g}/{review['best_rating']:g})"
        who = f", claimed by {review['claimant']}" if review.get("claimant") else ""
        lines.append(
            f"fact-check: {review.get('claim') or '?'} — {review.get('rating')}{scale}{who}"
        )
    return lines


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
