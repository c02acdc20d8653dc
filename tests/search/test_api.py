"""The query library as a researcher in a notebook uses it: import, connect, call, get
plain data back (no CLI, no printing). The calls the README shows, on the real node."""

from __future__ import annotations

from collections import Counter

import pytest

from newsarchive.config import Config
from newsarchive.dates import DateError
from newsarchive.es import connect
from search_cli.query import (
    Filters,
    InvalidQuery,
    SearchSpec,
    article,
    count,
    export,
    parse_range,
    search,
    stats,
    timeline,
)


@pytest.fixture(scope="module")
def client(corpus):
    es = connect(Config(home=corpus.home, es_url=corpus.url))
    yield es
    es.close()


def test_search_pages_and_filters(client, corpus):
    spec = SearchSpec("budget", Filters(dates=parse_range("2019", "2019-12")))
    page = search(client, spec, prefix=corpus.prefix, limit=1)
    assert page.total >= 2 and len(page.hits) == 1
    assert all("budget" in (h.title + h.snippet).lower() for h in page.hits)
    assert page.next_token
    rest = search(client, spec, prefix=corpus.prefix, limit=1, after=page.next_token)
    assert rest.hits
    assert not {h.id for h in rest.hits} & {h.id for h in page.hits}
    one = search(client, SearchSpec("", Filters(outlets=("Capitol Wire",))), prefix=corpus.prefix)
    assert one.total and {h.source["outlet"] for h in one.hits} == {"Capitol Wire"}


def test_counts_timelines_and_export_agree(client, corpus):
    spec = SearchSpec("", Filters())
    counts = count(client, spec, prefix=corpus.prefix, by="outlet")
    exported = export(client, spec, prefix=corpus.prefix, batch=3)
    rows = list(exported.hits)
    assert counts.total == exported.total == len(rows) == len({h.id for h in rows})
    per_outlet = Counter(h.source["outlet"] for h in rows)
    assert dict(counts.buckets) == dict(per_outlet)
    months = timeline(client, spec, prefix=corpus.prefix, interval="year")
    assert sum(months.series["all"]) + months.undated == counts.total
    assert stats(client, prefix=corpus.prefix)["articles"] == counts.total


def test_an_article_with_its_versions(client, corpus):
    edited = next(r for r in corpus.records if r["version"] == 3)
    view = article(client, edited["id"], prefix=corpus.prefix)
    assert view.article["title"] == edited["title"]
    assert [v["version"] for v in view.versions] == [1, 2, 3]


def test_bad_input_raises_errors_that_say_what_to_change(client, corpus):
    with pytest.raises(InvalidQuery, match="unknown field"):
        search(client, SearchSpec("nosuchfield:x"), prefix=corpus.prefix)
    with pytest.raises(InvalidQuery) as bad:
        search(client, SearchSpec("x"), prefix=corpus.prefix, limit=0)
    assert bad.value.param == "limit" and "--" not in str(bad.value)  # no CLI option names
    with pytest.raises(DateError):
        parse_range("someday", None)


def test_research_workflows_from_python(client, corpus):
    from search_cli.query import Sample

    spec = SearchSpec("budget OR tax")
    attention = count(client, spec, prefix=corpus.prefix, by="where.lean", normalize=True)
    for row in attention.rows():
        assert row["normalized"] == row["articles"] / row["all"]
    side = count(client, SearchSpec("budget"), prefix=corpus.prefix, versus=("tax",))
    assert [q for q, _ in side.queries] == ["budget", "tax"]
    over_time = timeline(client, SearchSpec("budget"), prefix=corpus.prefix, interval="year", versus=("tax",), normalize=True)  # fmt: skip
    assert set(over_time.series) == {"budget", "tax"} and over_time.share("tax")
    drawn = export(client, SearchSpec(""), prefix=corpus.prefix, sample=Sample(size=4, seed=3))
    ids = [h.id for h in drawn.hits]
    again = export(client, SearchSpec(""), prefix=corpus.prefix, sample=Sample(size=4, seed=3))
    assert len(ids) == 4 and [h.id for h in again.hits] == ids
    assert drawn.meta["export"]["sample"]["seed"] == 3
    assert article(client, corpus.id_of(15), prefix=corpus.prefix).version_rows()[0]["version"] == 1
