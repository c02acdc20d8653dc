"""Sitemap indexes built to keep a crawl busy: an index that links to a new index at
every level, an index of thousands of sitemaps, and children whose URLs need escaping.
The crawl follows a bounded depth and a bounded number of documents, says in its
report what it cut, and leaves no report row unanswered."""

from __future__ import annotations

import random
import re

import pytest

from tests.crawl.conftest import Crawler
from tests.loopback import LoopbackServer, QuietHandler
from tests.reliability.conftest import reps, seed_for

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


class SitemapMaze(LoopbackServer):
    """/deep/N.xml is an index linking /deep/N+1.xml (forever); /wide.xml is an index
    of ``width`` urlsets; /odd.xml lists children with non-ASCII and spaced URLs."""

    def __init__(self, width: int) -> None:
        maze = self
        self.served: list[str] = []

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                maze.served.append(self.path)
                base = maze.url
                if m := re.fullmatch(r"/deep/(\d+)\.xml", self.path):
                    nxt = int(m.group(1)) + 1
                    body = f"<sitemapindex {NS}><sitemap><loc>{base}/deep/{nxt}.xml</loc></sitemap></sitemapindex>"
                elif self.path == "/wide.xml":
                    items = "".join(
                        f"<sitemap><loc>{base}/part/{i}.xml</loc></sitemap>" for i in range(width)
                    )
                    body = f"<sitemapindex {NS}>{items}</sitemapindex>"
                elif self.path == "/odd.xml":
                    items = "".join(
                        f"<sitemap><loc>{base}/{name}</loc></sitemap>"
                        for name in ("élections.xml", "a%20b.xml", "plan de site.xml")
                    )
                    body = f"<sitemapindex {NS}>{items}</sitemapindex>"
                else:
                    body = f"<urlset {NS}></urlset>"
                self.reply(200, {"Content-Type": "application/xml"}, body.encode())

        super().__init__(Handler)


@pytest.mark.parametrize("rep", reps())
def test_nested_and_wide_sitemap_indexes_are_bounded(tmp_path, rep, trial):
    trial.case = "sitemap bombs: endless nesting, thousands of children, odd child URLs"
    rng = random.Random(seed_for(trial.case, rep))
    depth, limit, width = rng.randint(1, 4), rng.randint(10, 40), rng.randint(200, 2000)
    maze = SitemapMaze(width)
    try:
        (tmp_path / "sources.toml").write_text(
            'version = 1\n[[source]]\nid = "maze"\nname = "Maze"\n'
            f'homepage = "{maze.url}/"\ndomains = ["127.0.0.1"]\n'
            f'sitemaps = ["{maze.url}/deep/0.xml", "{maze.url}/wide.xml", "{maze.url}/odd.xml"]\n'
        )
        crawler = Crawler(tmp_path / "home", tmp_path / "sources.toml")
        crawler.home.mkdir()
        result = crawler.run(
            "--source",
            "maze",
            "--max-articles",
            "5",
            SITEMAP_MAX_DEPTH=str(depth),
            SITEMAP_MAX_DOCUMENTS=str(limit),
            timeout=300,
        )
    finally:
        maze.close()
    assert result.returncode == 0, result.stderr[-2000:]
    deep = [p for p in maze.served if p.startswith("/deep/")]
    sitemaps = [p for p in maze.served if p.endswith(".xml")]
    assert len(deep) <= depth + 1, deep
    assert len(sitemaps) <= limit, len(sitemaps)
    source = result.source
    assert source["skipped"].get("sitemap_limit", 0) + source["skipped"].get("sitemap_depth", 0)
    assert "SITEMAP_MAX_DOCUMENTS" in result.stdout or "SITEMAP_MAX_DEPTH" in result.stdout
    pending = [d for d in source["discovery"] if d.get("status") == "pending"]
    assert pending == [], pending
    trial.tries = len(maze.served)
    trial.saw("sitemap requests, all within the bounds", len(sitemaps))
    trial.notes.append(f"depth {depth}, limit {limit}, width {width}: {len(sitemaps)} fetched")
