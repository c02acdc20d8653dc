"""Every `newsarchive` line of the README is run, so a README example can never fail
again (the README's own `crawl --all --since 7d` once did).

The read-only commands run for real against the test corpus (an id or URL the corpus
does not have must fail with the clean "no article" line); the others, which would
crawl the internet, serve, or start and stop nodes, are parsed exactly as Click parses
them when they run, callbacks included (dates, choices, option names)."""

from __future__ import annotations

import re
import shlex
import warnings
from pathlib import Path

import click
import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
RUN = {"search", "count", "timeline", "export", "stats", "show", "versions", "edits"}


def readme_commands() -> list[list[str]]:
    """The argument lists of every `.venv/bin/newsarchive ...` line in a code block."""
    text = README.read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        for line in block.splitlines():
            at = line.find(".venv/bin/newsarchive ")
            if at < 0:
                continue
            words = shlex.split(line[at:], comments=True)
            cut = next((i for i, w in enumerate(words) if w in (">>", ">", "2>&1")), len(words))
            found.append(words[1:cut])
    return found


COMMANDS = readme_commands()


def test_the_readme_has_examples_of_every_research_command():
    assert len(COMMANDS) >= 25
    assert {c[0] for c in COMMANDS} >= RUN | {"crawl", "index", "sources", "schedule"}


def parse(args: list[str]) -> None:
    """Parse ``args`` as `newsarchive` would, down to the subcommand, without running."""
    from search_cli.cli import cli

    def unparsed(ctx: click.Context) -> list[str]:
        with warnings.catch_warnings():  # Click 8.2 moves these into ctx.args
            warnings.simplefilter("ignore", DeprecationWarning)
            return [*getattr(ctx, "protected_args", []), *ctx.args]

    ctx = cli.make_context("newsarchive", list(args))
    command: click.Command = cli
    rest = unparsed(ctx)
    while isinstance(command, click.Group) and rest:
        name, command, rest = command.resolve_command(ctx, rest)
        ctx = command.make_context(name, rest, parent=ctx)
        rest = unparsed(ctx)
    assert not rest, rest


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c)[:60] for c in COMMANDS])
def test_readme_line(args, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where `-o FILE` lands
    if args[0] not in RUN:
        parse(args)
        return
    result = cli(*args)
    if args[0] in ("show", "versions") and result.exit_code == 1:
        assert "no article" in result.output or "no record" in result.output, result.output
        return
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
