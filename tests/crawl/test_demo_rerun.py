"""`make demo` is incremental: a second run serves the sample site on the same origin
with the same pages, so its crawl archives nothing again (it once doubled the corpus)."""

from __future__ import annotations

import importlib.util

from tests.crawl.conftest import REPO, Crawler


def _demo():
    spec = importlib.util.spec_from_file_location("demo", REPO / "scripts" / "demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_second_demo_crawl_finds_every_article_already_archived(tmp_path):
    demo = _demo()
    home = tmp_path / "home"
    home.mkdir()
    registry = tmp_path / "demo-sources.toml"

    def crawl_once() -> tuple[int, list[dict]]:
        site = demo.demo_site(home)
        try:
            registry.write_text(demo.registry(site))
            crawler = Crawler(home, registry)
            result = crawler.run()
            assert result.returncode == 0, result.stderr
            return site.port, crawler.records()
        finally:
            site.stop()

    port, first = crawl_once()
    again, second = crawl_once()
    assert again == port
    new = [r for r in first if r["event"] == "new"]
    assert len(new) >= 20
    assert [r for r in second if r["event"] == "new"] == new  # nothing archived twice
    assert not [r for r in second if r["event"] == "changed"]
