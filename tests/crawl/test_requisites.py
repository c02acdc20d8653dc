"""Page requisites (opt-in): the stylesheet, script and images an article needs are
archived in the same WARCs, once per URL, within scope and a size bound; a later crawl
that finds the same bytes writes revisits. Real crawls of a loopback outlet."""

from __future__ import annotations

from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.sources import load_sources
from newsarchive.errors import ConfigError
from tests.crawl.conftest import Crawler
from tests.requisite_site import RequisiteSite

NEEDED = {"/static/site.css", "/static/app.js", "/img/thumb.png", "/favicon.png"}


def warc_records(home: Path) -> list[tuple[str, str]]:
    """(WARC-Type, target URI) of every response and revisit record of the archive."""
    out = []
    for path in sorted((home / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit"):
                    out.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI")))
    return out


@pytest.fixture
def site():
    with RequisiteSite() as s:
        yield s


def crawler_for(site: RequisiteSite, tmp_path: Path, name: str, **registry) -> Crawler:
    home = tmp_path / name
    home.mkdir()
    path = tmp_path / f"{name}.toml"
    path.write_text(site.registry(**registry))
    return Crawler(home, path)


def served(site: RequisiteSite, prefixes=("/static/", "/img/", "/favicon")) -> list[str]:
    return [p for p in site.log if p.startswith(prefixes)]


def test_off_by_default(site, tmp_path) -> None:
    crawler = crawler_for(site, tmp_path, "plain")
    result = crawler.run()
    assert result.returncode == 0, result.stderr
    assert len([r for r in crawler.records() if r["event"] == "new"]) == 3
    assert served(site) == [] and site.trap_log == []


def test_requisites_are_archived_once_in_scope_and_bounded(site, tmp_path) -> None:
    crawler = crawler_for(site, tmp_path, "full")
    result = crawler.run(PAGE_REQUISITES="1", REQUISITE_MAXSIZE="1000000")
    assert result.returncode == 0, result.stderr
    assert len([r for r in crawler.records() if r["event"] == "new"]) == 3  # articles only
    paths = served(site)
    heroes = {f"/img/hero-{i}.png" for i in range(3)}
    assert set(paths) == NEEDED | heroes | {"/img/big.png"}
    assert len(paths) == len(set(paths))  # shared ones fetched once
    assert site.trap_log == []  # another host, not in the source's requisite scope
    archived = {uri.removeprefix(site.url) for kind, uri in warc_records(crawler.home)}
    assert NEEDED | heroes <= archived
    assert "/img/big.png" not in archived  # over REQUISITE_MAXSIZE: cut, never archived
    requisites = result.source["requisites"]
    assert requisites["requested"] == len(NEEDED | heroes) + 1  # and big.png
    assert requisites["http_2xx"] == len(NEEDED | heroes)
    assert requisites["out_of_scope"] >= 1  # the trap, once per article
    assert (
        sum(v for k, v in requisites.items() if k not in ("requested", "http_2xx", "out_of_scope"))
        == 1
    )
    assert result.source["errors"] == {}  # a requisite's failure is not the source's


def test_a_later_crawl_writes_revisits_for_unchanged_requisites(site, tmp_path) -> None:
    crawler = crawler_for(site, tmp_path, "again", requisites=True)
    assert crawler.run().returncode == 0
    before = len(warc_records(crawler.home))
    again = crawler.run("--recheck-days", "9999")
    assert again.returncode == 0, again.stderr
    later = warc_records(crawler.home)[before:]
    css = [kind for kind, uri in later if uri.endswith("/static/site.css")]
    assert css == ["revisit"], later


def test_registry_requisite_hosts_are_host_names(tmp_path) -> None:
    base = (
        'version = 1\n[[source]]\nid = "x"\nname = "X"\nhomepage = "https://x.example/"\n'
        'feeds = ["https://x.example/feed"]\nrequisites = true\n'
    )
    path = tmp_path / "ok.toml"
    path.write_text(base + 'requisite_hosts = ["cdn.x-static.net"]\n')
    [source] = load_sources(path)
    assert source.requisite_in_scope("https://img.cdn.x-static.net/a.png")
    assert source.requisite_in_scope("https://x.example/a.css")
    assert not source.requisite_in_scope("https://tracker.example/p.gif")
    assert not source.in_scope("https://cdn.x-static.net/a.png")  # articles stay on domains
    path.write_text(base + 'requisite_hosts = ["not a host"]\n')
    with pytest.raises(ConfigError, match="requisite_hosts"):
        load_sources(path)
    path.write_text(base.replace("requisites = true", 'requisites = "yes"'))
    with pytest.raises(ConfigError, match="'requisites' must be true or false"):
        load_sources(path)
