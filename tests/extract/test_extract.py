"""End-to-end extraction on fixture pages written for these tests (tests/fixtures/extract)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from crawler.extract import ARTICLE_FIELDS, EXTRACTOR_NAME, EXTRACTOR_VERSION, extract
from crawler.extract.page import MAX_ELEMENTS, MAX_INPUT_BYTES, decode, parse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extract"
GRAPH_URL = "https://ledger.example/politics/council-approves-budget?utm=x"


def page(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="module")
def graph() -> dict:
    return extract(page("graph_article.html"), GRAPH_URL)


def test_record_shape(graph):
    assert set(ARTICLE_FIELDS) <= set(graph)
    assert graph["extractor"] == {"name": EXTRACTOR_NAME, "version": EXTRACTOR_VERSION}
    assert set(graph["provenance"]) <= set(ARTICLE_FIELDS)
    assert pickle.loads(pickle.dumps(graph)) == graph


def test_jsonld_graph_with_id_references(graph):
    assert graph["title"] == "Council approves budget after long night"
    # Person referenced by @id, a "By ..., Staff Writer" name, and the site itself
    # as an Organization author (dropped: the byline does not name it).
    assert graph["authors"] == ["Ana Lima", "Tom Reyes"]
    assert graph["provenance"]["authors"] == "json-ld"
    assert graph["section"] == "Politics"
    assert graph["tags"] == ["budget", "city council", "libraries"]
    assert graph["paywalled"] is True


def test_naive_jsonld_date_takes_the_page_zone(graph):
    # JSON-LD gives a wall time without zone; the OpenGraph tag gives the same time with one.
    assert graph["published"] == "2024-03-07T10:15:00-05:00"
    assert graph["provenance"]["published"] == "json-ld"
    assert graph["modified"] == "2024-03-08T09:00:00-05:00"


def test_urls_resolved_against_the_page(graph):
    assert graph["canonical_url"] == "https://ledger.example/politics/council-approves-budget"
    assert graph["image"] == "https://ledger.example/images/council.jpg"
    assert graph["links"] == ["https://records.example/budget-2024.pdf"]
    assert graph["language"] == "en"
    assert graph["description"].startswith("The vote ends a month")


def test_body_keeps_paragraphs_and_subheadings(graph):
    blocks = graph["body"].split("\n\n")
    assert blocks[0].startswith("The city council approved next year's budget")
    assert "Libraries keep their evening hours" in blocks
    assert blocks[-1].startswith("The mayor is expected to sign")
    assert graph["word_count"] == len(graph["body"].split())


@pytest.mark.parametrize(
    "boilerplate",
    ["censorship", "Please share", "leave a comment", "Gear", "Budget passed at 2:04", "@member"],
)
def test_body_drops_boilerplate_and_embeds(graph, boilerplate):
    assert boilerplate not in graph["body"]


def test_breadcrumb_page_like_the_shared_example():
    rec = extract(page("breadcrumbs.html"), "https://wire.example/chicago-mayor-bans/")
    assert rec["title"] == "Chicago Mayor Bans Agency From Police Databases Ahead Of Raids"
    assert rec["section"] == "Politics"
    body = rec["body"]
    assert body.startswith("The agency is expected to focus")
    assert "Before the first planned raid in June the mayor wrote:" in body  # tweet lead-in
    assert "We will not cooperate" not in body  # the tweet itself
    for junk in ("Social media censorship", "Scroll down", "Free Trump Gear", "Home"):
        assert junk not in body
    # No date anywhere but inside the embedded tweet: none is invented.
    assert rec["published"] is None
    assert rec["authors"] == []


def test_organization_authors_site_dropped_agency_kept():
    rec = extract(page("org_author.html"), "https://planet.example/storm")
    assert rec["authors"] == ["Reuters"]
    assert rec["published"] == "2024-03-07T15:00:00+00:00"  # RFC 2822 date string


def test_date_only_in_url():
    rec = extract(page("url_date_only.html"), "https://news.example/2024/03/07/harbour-ferry/")
    assert rec["published"] == "2024-03-07"
    assert rec["provenance"]["published"] == "url"


def test_missing_dates_stay_empty():
    rec = extract(page("url_date_only.html"), "https://news.example/harbour-ferry-returns/")
    assert rec["published"] is None
    assert rec["modified"] is None
    assert "published" not in rec["provenance"]


def test_conflicting_dates_and_last_first_author():
    rec = extract(page("dates_conflict.html"), "https://water.example/rates")
    assert rec["published"] == "2024-03-07T10:00:00+01:00"
    assert rec["modified"] is None  # the page's "modified" precedes publication
    assert rec["authors"] == ["Jane Doe"]


def test_feed_entry_is_a_lower_priority_source():
    feed = {
        "title": "Feed title",
        "published": "Fri, 08 Mar 2024 06:00:00 +0000",
        "authors": ["Feed Author"],
        "tags": ["ferries", "harbour"],
        "description": "From the feed.",
    }
    rec = extract(page("url_date_only.html"), "https://news.example/ferry/", feed_entry=feed)
    assert rec["published"] == "2024-03-08T06:00:00+00:00"
    assert rec["provenance"]["published"] == "feed"
    assert rec["authors"] == ["Feed Author"]
    assert rec["tags"] == ["ferries", "harbour"]
    assert rec["description"] == "From the feed."
    assert rec["title"] == "Harbour ferry returns after repairs"  # the page wins
    richer = extract(page("graph_article.html"), GRAPH_URL, feed_entry=feed)
    assert richer["authors"] == ["Ana Lima", "Tom Reyes"]
    assert richer["published"] == "2024-03-07T10:15:00-05:00"


def test_page_that_is_not_an_article():
    rec = extract(page("not_article.html"), "https://ledger.example/")
    assert rec["body"] == ""
    assert rec["word_count"] == 0
    assert rec["published"] is None
    assert rec["authors"] == []


def test_broken_html():
    rec = extract(page("broken.html"), "https://market.example/hall")
    assert "covered market hall reopened" in rec["body"]
    assert "not text" not in rec["body"]
    assert "<" not in (rec["title"] or "")


@pytest.mark.parametrize("name", ["cp1252_declared.html", "cp1252_undeclared.html"])
def test_non_utf8_bytes(name):
    rec = extract(page(name), "https://cafe.example/closing")
    assert rec["title"] == "Corner caf\u00e9 closes after seventy years"
    assert "\u201cgoodbye\u201d" in rec["body"]
    assert "\ufffd" not in rec["body"]


@pytest.mark.parametrize(
    "raw",
    [b"", b"   ", "", b"\x00\x01\x02garbage\xff\xfe", b"<html></html>", "plain text, no markup"],
)
def test_empty_or_garbage_input_gives_empty_record(raw):
    rec = extract(raw, "https://x.example/")
    assert rec["body"] == ""
    assert rec["published"] is None
    assert rec["url"] == "https://x.example/"


def test_pure_function_same_input_same_output():
    first = extract(page("graph_article.html"), GRAPH_URL)
    extract(page("org_author.html"), "https://planet.example/storm")
    assert extract(page("graph_article.html"), GRAPH_URL) == first


def test_pathological_nesting_does_not_crash():
    deep = b"<html><body>" + b"<div>" * 50_000 + b"<p>deep text</p>" + b"</div>" * 50_000
    rec = extract(deep, "https://deep.example/")
    assert isinstance(rec["body"], str)


def test_oversized_input_is_cut_not_refused():
    raw = b"<html><body>" + b"<p>word.</p>" * (MAX_INPUT_BYTES // 12 + 1000)
    assert len(raw) > MAX_INPUT_BYTES
    assert len(decode(raw)) <= MAX_INPUT_BYTES
    tree = parse(raw)
    assert tree is not None
    assert sum(1 for _ in tree.iter()) <= MAX_ELEMENTS


def test_element_cap_bounds_the_body():
    raw = b"<html><body><article>" + b"<p>one two three four.</p>" * 40_000
    rec = extract(raw, "https://many.example/")
    assert 0 < rec["word_count"] <= 4 * MAX_ELEMENTS


def test_every_parsed_element_is_a_plain_html_element():
    # The parser picks the element class in C (no Python call per element proxy); every
    # element still has lxml.html's methods, forms and inputs included.
    from lxml import html

    tree = parse(
        b"<html><body><form><label>Q</label><input name=q><select></select>"
        b"<textarea>t</textarea></form><p>Text <b>here</b></p></body></html>"
    )
    assert {type(el) for el in tree.iter()} == {html.HtmlElement}
    assert tree.find(".//p").text_content() == "Text here"
    tree.find(".//form").drop_tree()
    assert tree.find(".//input") is None


def test_deeply_nested_jsonld_is_bounded():
    nested = '{"a":' * 5000 + "1" + "}" * 5000
    html = f'<html><head><script type="application/ld+json">{nested}</script></head>'
    html += "<body><p>short</p></body></html>"
    rec = extract(html, "https://json.example/")
    assert rec["authors"] == []
