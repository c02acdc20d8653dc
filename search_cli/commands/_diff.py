"""The word diff of two versions of an article, as ``show --diff`` prints it: removed
words red and struck, added words green on a terminal; git's plain ``[-old-]{+new+}``
markers when the output is piped or NO_COLOR is set."""

from __future__ import annotations

import os
import sys

import click

from crawler.schema.record import DIFF_FIELDS


def use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _colour(op: str, text: str) -> str:
    if op == "-":
        return click.style(text, fg="red", strikethrough=True)
    return click.style(text, fg="green", underline=True)


def diff_text(old: dict, new: dict, *, color: bool) -> list[str]:
    """Lines saying, field by field, what changed from version ``old`` to ``new``."""
    from newsarchive.wordiff import render
    from search_cli.output import neutralize
    from search_cli.query.versions import field_diff

    lines: list[str] = []
    for name in DIFF_FIELDS:
        ops = field_diff(old, new, name)
        if all(op == "=" for op, _ in ops):
            continue
        safe = [(op, neutralize(text, keep_newlines=True)) for op, text in ops]
        text = render(safe, mark=_colour if color else None)
        lines.append(click.style(f"{name}:", bold=True) if color else f"{name}:")
        lines.extend("  " + line for line in text.split("\n") if line.strip())
    return lines


def echo_diff(view, version: int | None) -> None:
    """Print the diff from version N-1 to N (default: the latest) of an ``ArticleView``."""
    versions = view.versions
    numbers = [v.get("version") for v in versions]
    if len(versions) < 2:
        raise click.UsageError("this article has one version: there is nothing to compare")
    wanted = numbers[-1] if version is None else version
    if wanted not in numbers[1:]:
        raise click.BadParameter(
            f"choose a version from 2 to {numbers[-1]} (it is compared with the one before)",
            param_hint="--version",
        )
    at = numbers.index(wanted)
    old, new = versions[at - 1], versions[at]
    color = use_color()
    head = f"v{old.get('version')} ({old.get('crawled')}) -> v{new.get('version')} ({new.get('crawled')})"
    click.echo(click.style(head, bold=True) if color else head)
    words = f"+{new.get('words_added', '?')} -{new.get('words_removed', '?')} words"
    click.echo(f"changed: {', '.join(new.get('changed_fields') or []) or 'nothing'} · {words}")
    for notice in new.get("corrections") or []:
        from search_cli.output import neutralize

        click.echo(f"{notice.get('kind')}: {neutralize(notice.get('text'))}")
    for line in diff_text(old, new, color=color):
        click.echo(line)
