"""What ``newsarchive index`` runs: incremental loads, rebuilds behind an alias swap,
and pruning of old indices. One run per home and prefix at a time (a lock file).

``index_new_records(settings)`` is also what ``newsarchive crawl --index`` calls.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from indexer.checkpoint import Checkpoint, checkpoint_path
from indexer.layout import KINDS, Layout, base_settings
from indexer.load import DeadLetters, Loader, Summary
from indexer.setup import create_index, ensure_indices, indices_of, next_index, write_index
from indexer.source import read_dead_letters, read_items
from indexer.stories.cluster import StorySettings
from newsarchive.config import Config
from newsarchive.errors import IndexBusy, NewsarchiveError
from newsarchive.locks import FileLock

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

LIVE_RECORDS = Path("articles") / "articles.jsonl"
Progress = Callable[[int, int], None]  # (bytes done, bytes to do) of the record file


@contextlib.contextmanager
def run_lock(home: Path, prefix: str) -> Iterator[None]:
    """One index run per home and prefix at a time."""
    lock = FileLock(Path(home) / "state" / f"index-{prefix}.lock")
    if not lock.acquire():
        raise IndexBusy(
            f"another `newsarchive index` is running for prefix {prefix!r} (lock {lock.path}); "
            "wait for it to finish"
        )
    try:
        yield
    finally:
        lock.release()


def _client(settings: Config, client: Elasticsearch | None) -> Elasticsearch:
    if client is not None:
        return client
    from newsarchive.es import connect

    return connect(settings)


def _index_uuid(client: Elasticsearch, index: str) -> str:
    found = client.indices.get_settings(index=index, name="index.uuid").body
    return found[index]["settings"]["index"]["uuid"]


def _key(home: Path, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(home).resolve()))
    except ValueError:
        return str(path.resolve())


def records_file(home: Path, records: Path | str | None) -> Path:
    """The record file to read: the live one, or a record set (file or directory)."""
    if records is None:
        return Path(home) / LIVE_RECORDS
    path = Path(records)
    if not path.is_absolute() and not path.exists():
        path = Path(home) / path
    if path.is_dir():
        path = path / "articles.jsonl"
    if not path.is_file():
        raise NewsarchiveError(f"no article records at {path}")
    return path


def _progress_hook(progress: Progress | None, path: Path, start: int) -> Callable[[int], None]:
    total = max(0, path.stat().st_size - start)
    if progress is not None:
        progress(0, total)

    def hook(position: int) -> None:
        if progress is not None:
            progress(min(position - start, total), total)

    return hook


def index_new_records(
    settings: Config,
    *,
    all_records: bool = False,
    since: datetime | None = None,
    progress: Progress | None = None,
    client: Elasticsearch | None = None,
    prefix: str | None = None,
    batch_records: int = 500,
    attempts: int = 8,
) -> Summary:
    """Load the records appended since the last run (all with ``all_records``; those
    captured at or after ``since``, ignoring the checkpoint, with ``since``).

    Returns the summary; rejected records are in ``summary.dead_letter``. Raises
    NewsarchiveError (one clear line) when Elasticsearch is unreachable.
    """
    home = Path(settings.home)
    prefix = prefix or settings.index_prefix
    with run_lock(home, prefix):
        client = _client(settings, client)
        layout = ensure_indices(client, prefix)
        ck = Checkpoint(checkpoint_path(home, prefix))
        uuid = _index_uuid(client, write_index(client, layout, "articles"))
        notes: list[str] = []
        if ck.index_uuid != uuid:
            if ck.index_uuid is not None:
                notes.append("the article index changed since the last run: reading all records")
            ck.reset(index_uuid=uuid, source=ck.source)
            ck.save()
        path = records_file(home, ck.source)
        if ck.source:
            notes.append(f"the index follows the record set {ck.source} (set by --rebuild)")
        if not path.exists():
            notes.append(f"no article records at {path} yet")
            return Summary(notes=notes)
        key = _key(home, path)
        start = 0 if (all_records or since) else ck.offset(key, path)
        hook = _progress_hook(progress, path, start)
        dead = DeadLetters(home / "dead-letter")
        loader = Loader(
            client, layout, dead_letters=dead, batch_records=batch_records, attempts=attempts,
            source=key, stories=StorySettings.from_settings(settings),
        )  # fmt: skip

        def on_batch(position: int, _part: Summary) -> None:
            if since is None:
                ck.advance(key, path, position)
            hook(position)

        try:
            summary = loader.load(read_items(path, start, since=since), on_batch)
        finally:
            dead.close()
        client.indices.refresh(index=f"{layout.articles},{layout.versions}")
        summary.notes = notes + summary.notes
        return summary


def rebuild(
    settings: Config,
    *,
    records: Path | str | None = None,
    progress: Progress | None = None,
    client: Elasticsearch | None = None,
    prefix: str | None = None,
    batch_records: int = 500,
    before_swap: Callable[[dict[str, str]], None] | None = None,
) -> tuple[Summary, dict[str, str]]:
    """Build fresh indices from every record, then swap both aliases in one atomic
    request, so searches see the old index until the new one is complete. The old
    indices stay until ``prune``. Returns the summary and the new index names.
    """
    home = Path(settings.home)
    prefix = prefix or settings.index_prefix
    with run_lock(home, prefix):
        client = _client(settings, client)
        layout = ensure_indices(client, prefix)
        path = records_file(home, records)
        if not path.exists():
            raise NewsarchiveError(f"no article records at {path}: nothing to rebuild from")
        key = _key(home, path)
        new = {kind: next_index(client, layout, kind) for kind in KINDS}
        for index in new.values():
            create_index(client, index)
            client.indices.put_settings(index=index, settings={"index.refresh_interval": "-1"})
        dead = DeadLetters(home / "dead-letter")
        loader = Loader(
            client, layout, articles_index=new["articles"], versions_index=new["versions"],
            dead_letters=dead, batch_records=batch_records, source=key,
            stories=StorySettings.from_settings(settings),
        )  # fmt: skip
        end = [0]
        hook = _progress_hook(progress, path, 0)

        def on_batch(position: int, _part: Summary) -> None:
            end[0] = position
            hook(position)

        try:
            summary = loader.load(read_items(path, 0), on_batch)
        finally:
            dead.close()
        interval = base_settings()["index"]["refresh_interval"]
        for index in new.values():
            client.indices.put_settings(index=index, settings={"index.refresh_interval": interval})
        client.indices.refresh(index=",".join(new.values()))
        if before_swap is not None:
            before_swap(new)
        swap_aliases(client, layout, new)
        ck = Checkpoint(checkpoint_path(home, prefix))
        live = records is None or path.resolve() == (home / LIVE_RECORDS).resolve()
        ck.reset(index_uuid=_index_uuid(client, new["articles"]), source=None if live else key)
        ck.advance(key, path, end[0])
        ck.save()
        return summary, new


def swap_aliases(client: Elasticsearch, layout: Layout, new: dict[str, str]) -> None:
    """Point the read and write aliases of every kind at ``new`` in one request."""
    from elasticsearch import NotFoundError

    actions: list[dict] = []
    for kind, index in new.items():
        for alias in (layout.read_alias(kind), layout.write_alias(kind)):
            try:
                holders = client.indices.get_alias(name=alias).body
            except NotFoundError:
                holders = {}
            actions += [{"remove": {"index": old, "alias": alias}} for old in holders]
        actions.append({"add": {"index": index, "alias": layout.read_alias(kind)}})
        actions.append(
            {"add": {"index": index, "alias": layout.write_alias(kind), "is_write_index": True}}
        )
    client.indices.update_aliases(actions=actions)


def retry_dead_letters(
    settings: Config,
    *,
    client: Elasticsearch | None = None,
    prefix: str | None = None,
    batch_records: int = 500,
) -> Summary:
    """Load the records of the dead-letter files again (after the cause was fixed).

    What loads now is indexed; what fails again goes to a new dead-letter file with its
    new reason. The files read move to ``dead-letter/retried/``, so nothing is tried
    twice and nothing is lost. Loading is idempotent, so a killed retry can be rerun.
    """
    home = Path(settings.home)
    prefix = prefix or settings.index_prefix
    folder = home / "dead-letter"
    with run_lock(home, prefix):
        files = sorted(folder.glob("index-*.jsonl"))
        if not files:
            return Summary(notes=[f"no dead letters in {folder}"])
        client = _client(settings, client)
        layout = ensure_indices(client, prefix)
        dead = DeadLetters(folder)
        loader = Loader(
            client, layout, dead_letters=dead, batch_records=batch_records, source="dead-letter",
            stories=StorySettings.from_settings(settings),
        )  # fmt: skip
        try:
            summary = loader.load(read_dead_letters(files))
        finally:
            dead.close()
        client.indices.refresh(index=f"{layout.articles},{layout.versions}")
        done = folder / "retried"
        done.mkdir(exist_ok=True)
        for path in files:
            os.replace(path, done / path.name)
        retried = f"retried {len(files)} dead-letter files; they are now in {done}"
        summary.notes = [retried, *summary.notes]
        return summary


def prune(
    settings: Config, *, client: Elasticsearch | None = None, prefix: str | None = None
) -> list[str]:
    """Delete the indices of ``prefix`` that no alias points at (old generations and
    abandoned rebuilds). Returns their names."""
    home = Path(settings.home)
    prefix = prefix or settings.index_prefix
    with run_lock(home, prefix):
        client = _client(settings, client)
        layout = Layout(prefix)
        doomed: list[str] = []
        for kind in KINDS:
            found = client.indices.get(index=layout.index_pattern(kind)).body
            for index in indices_of(client, layout, kind):
                if not found.get(index, {}).get("aliases"):
                    doomed.append(index)
        if doomed:
            client.indices.delete(index=",".join(doomed))
        return doomed
