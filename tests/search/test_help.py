"""Every command and option is documented (a test walks all of them, as sqlite-utils
does), and the query syntax is where a user looks for it."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from search_cli.cli import cli

DOCS = Path(__file__).resolve().parents[2] / "docs" / "search.md"


def _commands(command: click.Command, path: tuple[str, ...] = ()):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))


def test_every_option_of_every_command_has_help_text():
    undocumented = [
        f"newsarchive {' '.join(path)} {param.opts[0]}"
        for path, command in _commands(cli)
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert undocumented == []


def test_every_help_page_works_and_lists_its_options():
    for path, command in _commands(cli):
        result = CliRunner().invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert command.help or command.short_help, path
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert param.opts[-1] in result.output, (path, param.opts)
        wide = [line for line in result.output.splitlines() if len(line) > 80]
        assert wide == [], path  # an 80-column terminal shows every help page unwrapped


def test_the_query_syntax_is_in_search_help_and_the_docs():
    text = CliRunner().invoke(cli, ["search", "--help"]).output
    docs = DOCS.read_text(encoding="utf-8")
    for piece in (" OR ", '"', "presiden*", "title:", "versions:>1", "removed:true", "-opinion"):
        assert piece in text, piece
        assert piece in docs, piece
    for piece in ("_NEWSARCHIVE_COMPLETE", "--show-query", "--no-headers", "--normalize", "--vs"):
        assert piece in docs, piece


def test_shell_completion_offers_by_fields_and_outlets(monkeypatch):
    from click.shell_completion import ShellComplete

    def complete(*words: str) -> list[str]:
        shell = ShellComplete(cli, {}, "newsarchive", "_NEWSARCHIVE_COMPLETE")
        return [item.value for item in shell.get_completions(list(words[:-1]), words[-1])]

    assert "where.lean" in complete("count", "x", "--by", "where.")
    assert "outlet" in complete("timeline", "x", "--by", "out")
    outlets = complete("search", "x", "--outlet", "")
    assert outlets, "the registry's outlets"
    assert {"table", "csv", "json"} <= set(complete("count", "x", "--format", ""))
