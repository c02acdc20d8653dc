"""The extraction benchmark's smoke mode runs (so a broken benchmark fails the tests)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "benchmarks" / "bench_extract.py"


def load():
    spec = importlib.util.spec_from_file_location("bench_extract", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():
    module = load()
    if not (module.DEFAULT_ROOT / "score.py").is_file():
        pytest.skip("no ../shared/benchmarks/score.py beside the repository")
    return module


def test_smoke_run_reports_mean_and_spread_per_outlet(bench, capsys):
    sets = ["fundus-history", "trafilatura-eval"]
    assert bench.main(["--smoke", "--sets", *sets, "--per-outlet", "--save", "smoke"]) == 0
    out = capsys.readouterr().out
    for name in sets:
        assert f"| {name} | newsarchive |" in out
        assert f"| {name} | trafilatura |" in out
    assert "newsarchive mean | median | min | trafilatura mean | median | min" in out
    assert "| snippet F1 |" in out  # the set without body truth is scored on its snippets
    assert bench.main(["--smoke", "--sets", "fundus-history", "--against", "smoke"]) == 0
    assert "change against the saved run" in capsys.readouterr().out


def test_outlet_is_the_publisher_prefix_or_the_domain(bench):
    assert bench.outlet_of("Reuters_2024_03_07", "https://www.reuters.com/x") == "Reuters"
    assert bench.outlet_of("ab12" * 16, "https://www.example.org/a") == "example.org"


def test_spread_takes_median_and_minimum_over_outlets(bench):
    def row(p, r):
        return dict(
            body_p=p,
            body_r=r,
            title=None,
            date=None,
            authors=None,
            snip_found=None,
            snip_clean=None,
        )

    per_page = {"a1": row(1.0, 1.0), "a2": row(0.0, 0.0), "b1": row(0.5, 0.5)}
    stats = bench.spread(per_page, {"a1": "A", "a2": "A", "b1": "B"})
    assert stats["body_f1"]["mean"] == pytest.approx(0.5)
    assert stats["body_f1"]["min"] == pytest.approx(0.5)
    assert stats["by_outlet"]["A"]["body_f1"] == pytest.approx(0.5)


def test_snippet_scores_count_found_and_left_out(bench):
    found, clean = bench.snippet_scores(
        {"with": ["quick  brown", "lazy cat"], "without": ["Subscribe now"]},
        "The quick brown fox.\n\nSubscribe now!",
    )
    assert (found, clean) == (0.5, 0.0)


def test_unknown_set_is_one_clear_error(bench, capsys):
    with pytest.raises(SystemExit) as err:
        bench.main(["--sets", "no-such-set"])
    assert err.value.code == 2
    assert "unknown set 'no-such-set'" in capsys.readouterr().err


def test_time_ratio_three_ways(bench):
    # Pages of 10/5, 20/10 and 30/60 ms: medians 20/10, page ratios 2, 2, 0.5, totals 60/75.
    timings = {"ours": [10.0, 20.0, 30.0], "peer": [5.0, 10.0, 60.0]}
    (line,) = bench.time_ratios("set", timings)
    assert "ratio of medians 2.00" in line
    assert "median of per-page ratios 2.00" in line
    assert "ratio of totals 0.80" in line
    assert bench.time_ratios("set", {"ours": [1.0]}) == []


def test_ablation_takes_out_the_evidence_it_names_and_only_that(bench):
    from ablate import ablate  # on the path bench_extract set

    page = (
        b"<html><head><meta name='author' content='Ana Lima'>"
        b"<meta property='article:author' content='https://x.example/ana'>"
        b"<meta name='description' content='A library story'>"
        b'<script type=\'application/ld+json\'>{"author": "Ana Lima"}</script>'
        b"<script>var x = 1;</script></head><body><h1>Library</h1>"
        b"<span itemprop='author'>Ana Lima</span><p>Text.</p></body></html>"
    )
    no_ld = ablate(page, "jsonld")
    assert b"ld+json" not in no_ld and b'content="Ana Lima"' in no_ld
    no_meta = ablate(page, "meta")
    assert b"ld+json" in no_meta and b"article:author" not in no_meta
    assert b"description" in no_meta and b"var x = 1" in no_meta
    seen = ablate(page, "visible")
    assert b"ld+json" not in seen and b"itemprop" not in seen and b"Ana Lima</span>" in seen
    with pytest.raises(ValueError):
        ablate(page, "everything")


def test_class_ablation_makes_every_class_and_id_name_say_nothing(bench):
    from ablate import ablate
    from lxml import html

    page = (
        b"<html><head><script type='application/ld+json'>{}</script></head><body>"
        b"<div class='byline author' id='byline'><span class='author'>Ana Lima</span></div>"
        b"<p class='c' data-testid='byline' itemprop='author'>Text.</p></body></html>"
    )
    doc = html.fromstring(ablate(page, "classes"))
    div, span, p = doc.find(".//div"), doc.find(".//span"), doc.find(".//p")
    names = div.get("class").split()
    assert len(names) == 2 and not {"byline", "author"} & set(names)
    assert span.get("class") == names[1] and div.get("id") == names[0]  # one name, one token
    assert span.text == "Ana Lima" and p.get("data-testid") == "byline"  # only names
    assert doc.find(".//script") is not None and p.get("itemprop") == "author"
    bare = html.fromstring(ablate(page, "bare"))  # visible and classes together
    assert bare.find(".//script") is None and bare.find(".//p").get("itemprop") is None
    assert bare.find(".//span").get("class") == names[1]


def test_ablation_keeps_the_text_of_a_page_declared_in_another_charset(bench):
    from ablate import ablate

    page = (
        "<html><head><meta charset='iso-8859-1'><title>Café</title></head>"
        "<body><p>Le café de la gare.</p></body></html>"
    ).encode("iso-8859-1")
    out = ablate(page, "jsonld")
    assert "Le café de la gare." in out.decode("utf-8")
    assert b"iso-8859-1" not in out and b'charset="utf-8"' in out
