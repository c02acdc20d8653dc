"""The local node does what the product needs: English stemming, exact phrases on a
``.exact`` subfield, date ranges, highlighting, date histograms, and ``info()``."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.es

MAPPING = {
    "dynamic": "strict",
    "properties": {
        "title": {
            "type": "text",
            "analyzer": "english",
            "fields": {"exact": {"type": "text", "analyzer": "standard"}},
        },
        "body": {
            "type": "text",
            "analyzer": "english",
            "index_options": "offsets",
            "fields": {"exact": {"type": "text", "analyzer": "standard"}},
        },
        "outlet": {"type": "keyword"},
        "published": {"type": "date"},
    },
}

DOCS = [
    {
        "title": "Senate debates immigration bill",
        "outlet": "a",
        "body": "The immigration bill reached the Senate floor on Tuesday.",
        "published": "2019-06-03T10:00:00Z",
    },
    {
        "title": "Mayor bans agency from police databases",
        "outlet": "b",
        "body": "Chicago will not share police databases with federal agents.",
        "published": "2019-06-20T09:00:00-05:00",
    },
    {
        "title": "Governors discuss budgets",
        "outlet": "a",
        "body": "Budgets were discussed; a governor said the databases of police are secure.",
        "published": "2019-07-02T12:00:00Z",
    },
]


@pytest.fixture
def articles(es_client, index_prefix: str) -> str:
    index = f"{index_prefix}-articles"
    es_client.indices.create(
        index=index, mappings=MAPPING, settings={"number_of_shards": 1, "number_of_replicas": 0}
    )
    for i, doc in enumerate(DOCS):
        es_client.index(index=index, id=str(i), document=doc)
    es_client.indices.refresh(index=index)
    return index


def _ids(resp) -> set[str]:
    return {hit["_id"] for hit in resp["hits"]["hits"]}


def test_info_reports_server_version(es_client) -> None:
    info = es_client.info()
    assert info["version"]["number"].startswith("9.")
    assert es_client.ping()


def test_english_analyzer_is_elasticsearchs(es_client) -> None:
    tokens = es_client.indices.analyze(analyzer="english", text="The immigrants' policies")
    # Stop word removed, possessive stripped, Porter stemming: as Elasticsearch defines it.
    assert [t["token"] for t in tokens["tokens"]] == ["immigr", "polici"]


def test_stemmed_match(es_client, articles: str) -> None:
    resp = es_client.search(index=articles, query={"match": {"body": "immigrants"}})
    assert _ids(resp) == {"0"}


def test_quoted_phrase_on_exact_subfield(es_client, articles: str) -> None:
    phrase = {"match_phrase": {"body.exact": "police databases"}}
    assert _ids(es_client.search(index=articles, query=phrase)) == {"1"}
    # The stemmed field matches an inflected form of the phrase; the exact one must not.
    stemmed = {"match_phrase": {"body": "police database"}}
    assert _ids(es_client.search(index=articles, query=stemmed)) == {"1"}
    exact = {"match_phrase": {"body.exact": "police database"}}
    assert _ids(es_client.search(index=articles, query=exact)) == set()


def test_date_range_filter(es_client, articles: str) -> None:
    query = {"range": {"published": {"gte": "2019-06-01", "lte": "2019-06-30"}}}
    assert _ids(es_client.search(index=articles, query=query)) == {"0", "1"}


def test_highlighting(es_client, articles: str) -> None:
    resp = es_client.search(
        index=articles,
        query={"match": {"body": "databases"}},
        highlight={"fields": {"body": {}}, "pre_tags": ["["], "post_tags": ["]"]},
    )
    fragments = [f for hit in resp["hits"]["hits"] for f in hit["highlight"]["body"]]
    assert any("[databases]" in f for f in fragments)


def test_date_histogram(es_client, articles: str) -> None:
    resp = es_client.search(
        index=articles,
        size=0,
        aggs={
            "per_month": {"date_histogram": {"field": "published", "calendar_interval": "month"}}
        },
    )
    buckets = [
        (b["key_as_string"][:7], b["doc_count"])
        for b in resp["aggregations"]["per_month"]["buckets"]
    ]
    assert buckets == [("2019-06", 2), ("2019-07", 1)]
