"""Edit benchmark: how many of an outlet's edits each re-fetch policy archives, how soon,
and at what cost.

A loopback site (``tests.site.NewsSite``) lives through DAYS of an outlet's life on an
injected clock, never waiting real time: its N articles are published evenly over the
period; 20 % are edited at least once, some several times, most edits within the first
day (log-normal delays, median 2 h), half of them stealthily (no listing says so); 2 %
are removed; article pages carry ETag and Last-Modified and answer conditional
requests. The site's life is drawn once (seeded) and replayed for each policy, crawled
by real crawls (the spider, pipeline and archive of `newsarchive crawl`, run in this
process one after the other, each with its clock set by ``CRAWL_CLOCK``) when
``newsarchive schedule`` would start them with its defaults (``--interval scheduler``:
each feed and sitemap polled at its adaptive interval, from 1 h within 10 min and
1 day, a crawl polling the listings due and revisiting what is due), or every INTERVAL
(``--interval 1h``: a cron job polling everything):

1. default  the revisit policy as shipped (+1h +6h +1d +3d +7d +30d, again from each
            captured change; change signals: a listing's date, a listing's new
            headline; conditional re-fetches)
2. recheck  today's option: every crawl re-fetches every archived article published in
            the last RECHECK days, unconditionally (``--recheck-days``; no revisits)
3. never    today's default before the revisit policy: archived articles never again

For each: edits captured (the new version archived before the article's next edit, its
removal or the end of the period; edits made before the article's first capture or in
the last day are not counted), median detection delay of first-day edits (a missed
edit counts as never), re-fetches per article per week (article-weeks the articles
existed), bytes downloaded (everything the site sent) and the share of re-fetches of an
unchanged page answered 304. Each policy's missed edits are split by why: superseded
(the article's next edit, or its removal, came before the next crawl: no policy
crawling at those times can archive that version), not re-fetched while the version
was live (schedule not due, revisit budget spent, or a listing's date not taken as a
signal; signalled and stealth edits counted apart), or re-fetched without a new
version. The **ceiling** line is the oracle that re-fetches every article at every
crawl (the first policy's crawl times), computed from the life and those times rather than crawled: it captures an
edit exactly when a crawl falls between it and the article's next edit. Written to
benchmarks/out/edits/results.json.

    python benchmarks/bench_edits.py [--articles 2000] [--days 14] [--interval scheduler|1h]
        [--recheck-interval 1h]   # the recheck policy as a cron job: its fewest bytes
    python benchmarks/bench_edits.py --smoke   # 40 articles over 2 days: seconds

A measurement, not a test: it never fails on a missed goal.
"""

from __future__ import annotations

import argparse
import bisect
import json
import math
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
OUT = REPO / "benchmarks" / "out" / "edits"
T0 = datetime(2026, 3, 2, tzinfo=UTC)
GOALS = {"captured": 0.95, "delay_h": 6.0, "refetches": 5.0, "not_modified": 0.60}
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "EXTRACT_WORKERS": "0",
    "LOG_LEVEL": "ERROR",
    "ROBOTSTXT_OBEY": "1",
}


@dataclass
class Life:
    """What happens to the site's articles: publication, edits, removals (site time)."""

    published: list[datetime]
    edits: dict[int, list[tuple[datetime, dict]]] = field(default_factory=dict)
    removed: dict[int, datetime] = field(default_factory=dict)


def draw_life(n: int, days: float, seed: int = 15) -> Life:
    rng = random.Random(seed)
    span = days * 86400
    published = [T0 + timedelta(seconds=span * (i + rng.random()) / n) for i in range(n)]
    life = Life(published)
    for i, pub in enumerate(published):
        if rng.random() < 0.20:
            count = 1
            while count < 5 and rng.random() < 0.35:  # some several times
                count += 1
            delays = sorted(rng.lognormvariate(math.log(2), 1.5) for _ in range(count))
            life.edits[i] = [
                (pub + timedelta(hours=h), _change(rng, i, k)) for k, h in enumerate(delays)
            ]
        if rng.random() < 0.02:
            life.removed[i] = pub + timedelta(hours=rng.lognormvariate(math.log(12), 1.2))
    return life


def _change(rng: random.Random, i: int, k: int) -> dict:
    kind = rng.choice(("title", "replace", "add"))
    signal = rng.random() < 0.5
    text = f"Revision {k + 1} of story {i + 1}: officials gave new figures on the vote."
    if kind == "title":
        return {
            "title": f"Updated: lawmakers revise plan {i + 1} (revision {k + 1})",
            "signal": signal,
        }
    if kind == "replace":
        return {"replace": (rng.randint(1, 4), text), "signal": signal}
    return {"add": text, "signal": signal}


def _registry(site, path: Path) -> None:
    def urls(paths):
        return "[" + ", ".join(f'"{site.url(p)}"' for p in paths) + "]"

    path.write_text(
        "version = 1\n[[source]]\n"
        'id = "ledger"\nname = "The Loopback Ledger"\n'
        f'homepage = "{site.url("/")}"\ndomains = ["127.0.0.1"]\n'
        f"feeds = {urls(['/feeds/rss.xml', '/feeds/atom.xml'])}\n"
        f"sitemaps = {urls(['/sitemap.xml'])}\nsections = []\n"
    )


def _times(days: float, interval: timedelta) -> list[datetime]:
    out, t = [], T0 + interval
    while t <= T0 + timedelta(days=days):
        out.append(t)
        t += interval
    return out


class FixedCadence:
    """A crawl every ``interval`` (a cron job), polling every listing."""

    def __init__(self, days: float, interval: timedelta) -> None:
        self._times = iter(_times(days, interval))

    def next(self) -> tuple[datetime, dict | None] | None:
        t = next(self._times, None)
        return None if t is None else (t, None)

    def polled(self, t: datetime, report: dict | None) -> None:
        pass


class SchedulerCadence:
    """The crawls ``newsarchive schedule`` would start with its defaults: each listing
    polled at its own adaptive interval (``scheduler.polling``: from the default 1 h,
    within 10 min and 1 day, moved by the new entries each poll found), a crawl polling
    the listings due (within the jitter window), started with the scheduler's jitter."""

    def __init__(self, days: float, feeds: list[str], sitemaps: list[str], seed: int = 15):
        from scheduler.config import ScheduleConfig
        from scheduler.polling import Bounds, Listing

        config = ScheduleConfig()
        self.jitter = config.jitter
        self.bounds = Bounds(config.default_interval, config.min_interval, config.max_interval)
        self.listings = [Listing(u, "feed", self.bounds.start) for u in feeds] + [
            Listing(u, "sitemap", self.bounds.start) for u in sitemaps
        ]
        self.end = T0 + timedelta(days=days)
        self.rng = random.Random(seed)
        self.due: list = []

    def next(self) -> tuple[datetime, dict | None] | None:
        if self.listings[0].last_polled is None:  # the first crawl, as in the fixed cadence
            start = (T0 + timedelta(seconds=self.bounds.start)).timestamp()
        else:
            first = min(self.listings, key=lambda li: li.due())
            spread = self.rng.uniform(-self.jitter, self.jitter) * first.interval
            start = max(self.listings[0].last_polled, first.due() + spread)
        if start > self.end.timestamp():
            return None
        self.due = [li for li in self.listings if li.due() <= start + self.jitter * li.interval]
        plan = {"ledger": {li.url: li.last_polled for li in self.due}}
        return datetime.fromtimestamp(start, UTC), plan

    def polled(self, t: datetime, report: dict | None) -> None:
        from scheduler.polling import after_poll, polls_of

        row = next((r for r in (report or {}).get("sources", []) if r["id"] == "ledger"), {})
        polls = polls_of(row)
        for listing in self.due:
            if listing.url in polls:
                after_poll(listing, polls[listing.url], self.bounds, t.timestamp())


def _cadence(name: str, days: float, interval: timedelta, site):
    if name == "scheduler":
        return SchedulerCadence(
            days, [site.url("/feeds/rss.xml"), site.url("/feeds/atom.xml")],
            [site.url("/sitemap.xml")],
        )  # fmt: skip
    return FixedCadence(days, interval)


def run_policies(life: Life, policies: dict[str, dict], days: float, work: Path) -> dict:
    """Crawl the site's life once per policy (all in one reactor); the raw observations."""
    from scrapy.crawler import Crawler, CrawlerRunner
    from scrapy.utils.log import configure_logging
    from scrapy.utils.reactor import install_reactor

    from crawler.crawl import crawl_settings
    from crawler.spiders.news import NewsSpider
    from tests.site import NewsSite

    install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    from twisted.internet import defer, reactor

    configure_logging({"LOG_LEVEL": "ERROR"})
    observed: dict[str, dict] = {}
    budget_stat = "src/ledger/revisits/over_budget"
    failures: list = []

    @defer.inlineCallbacks
    def crawl_all():
        try:
            for name, policy in policies.items():
                site = NewsSite(
                    len(life.published), published_at=life.published, hide_future=True,
                    feed_size=50, now=T0,
                )  # fmt: skip
                for i, edits in life.edits.items():
                    for at, change in edits:
                        site.edit(i, at=at, **change)
                for i, at in life.removed.items():
                    site.remove(i, at)
                home = work / name
                home.mkdir(parents=True)
                registry = work / f"{name}.toml"
                started = time.perf_counter()
                with site:
                    _registry(site, registry)
                    records_seen = over_budget = 0
                    cadence = _cadence(policy["cadence"], days, policy["interval"], site)
                    crawl_times: list[str] = []
                    while (step := cadence.next()) is not None:
                        t, plan = step
                        site.now = t
                        overrides = {**SETTINGS, **policy["settings"], "CRAWL_CLOCK": t.isoformat()}
                        crawler = Crawler(NewsSpider, crawl_settings(home, overrides))
                        yield CrawlerRunner().crawl(
                            crawler, source="ledger", sources_file=str(registry),
                            recheck_days=policy.get("recheck_days"), plan=plan,
                        )  # fmt: skip
                        cadence.polled(t, getattr(crawler.spider, "report", None))
                        crawl_times.append(t.isoformat())
                        over_budget += crawler.stats.get_value(budget_stat, 0)
                        records_seen += 1
                        if records_seen % 48 == 0:
                            print(f"  {name}: {records_seen} crawls, {t:%Y-%m-%d %H:%M}, "
                                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)  # fmt: skip
                    log = list(site.log)
                observed[name] = {
                    "records": _records(home),
                    "log": log,
                    "paths": [a.path for a in site.articles],
                    "crawls": records_seen,
                    "crawl_times": crawl_times,
                    "over_budget": over_budget,
                    "seconds": time.perf_counter() - started,
                }
                shutil.rmtree(home, ignore_errors=True)
        except Exception as exc:  # noqa: BLE001 - reported after the reactor stops
            failures.append(exc)
        finally:
            reactor.stop()

    reactor.callWhenRunning(crawl_all)
    reactor.run()
    if failures:
        raise failures[0]
    return observed


def _records(home: Path) -> list[dict]:
    path = home / "articles" / "articles.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _until(life: Life, i: int, k: int, end: datetime) -> datetime:
    """Until when version k of article i is live: its next edit, removal, or the end."""
    edits = life.edits[i]
    following = edits[k + 1][0] if k + 1 < len(edits) else end
    return min(following, life.removed.get(i, end), end)


def _next_crawl(at: datetime, times: list[datetime]) -> datetime:
    """The first crawl at or after ``at`` (after the last: never)."""
    i = bisect.bisect_left(times, at)
    return times[i] if i < len(times) else datetime.max.replace(tzinfo=UTC)


def ceiling(life: Life, days: float, times: list[datetime]) -> dict:
    """The oracle that re-fetches every article at every crawl: it archives each article
    at the first crawl after publication and an edit exactly when a crawl falls while
    that version is live. Counted like ``measure`` counts a policy."""
    end = T0 + timedelta(days=days)
    counted = captured = 0
    first_day: list[float] = []
    for i, edits in life.edits.items():
        first = _next_crawl(life.published[i], times)
        if first > end or first >= life.removed.get(i, end):
            continue
        for k, (at, _) in enumerate(edits):
            if at < first or at > end - timedelta(days=1):
                continue
            counted += 1
            hit = _next_crawl(at, times)
            hit = hit if hit < _until(life, i, k, end) else None
            captured += hit is not None
            if at - life.published[i] < timedelta(days=1):
                first_day.append((hit - at).total_seconds() / 3600 if hit else math.inf)
    delay = statistics.median(first_day) if first_day else math.inf
    return {
        "edits_counted": counted,
        "edits_captured": captured,
        "captured_share": captured / counted if counted else None,
        "first_day_edits": len(first_day),
        "median_delay_h": None if math.isinf(delay) else round(delay, 2),
    }


def describe_life(life: Life) -> dict:
    """What the drawn life looks like, to read the figures against: how edits spread
    after publication (the model is log-normal, median 2 h: heavy-tailed, most in the
    first day) and how many follow another edit of the same article within an hour."""
    after = sorted(
        (at - life.published[i]).total_seconds() / 3600
        for i, edits in life.edits.items()
        for at, _ in edits
    )
    gaps = [
        (b[0] - a[0]).total_seconds() / 3600
        for edits in life.edits.values()
        for a, b in zip(edits, edits[1:], strict=False)
    ]
    if not after:
        return {}
    return {
        "edits": len(after),
        "edited_articles": len(life.edits),
        "several_edits": sum(len(e) > 1 for e in life.edits.values()),
        "first_day_share": sum(h < 24 for h in after) / len(after),
        "median_h": statistics.median(after),
        "p90_h": after[int(0.9 * (len(after) - 1))],
        "max_h": after[-1],
        "next_edit_within_1h": sum(g < 1 for g in gaps),
    }


def measure(life: Life, seen: dict, days: float) -> dict:
    """The figures of one policy from its archive records and the site's log."""
    times = [_moment(t) for t in seen["crawl_times"]]
    index = {path: i for i, path in enumerate(seen["paths"])}
    end = T0 + timedelta(days=days)
    by_article: dict[int, list[dict]] = {}
    for r in seen["records"]:
        path = "/" + r["url"].split("/", 3)[3]
        if path in index:
            by_article.setdefault(index[path], []).append(r)
    counted = captured = 0
    missed = dict.fromkeys(
        ("superseded", "not_refetched_signalled", "not_refetched_stealth", "refetched"), 0
    )
    first_day: list[float] = []
    for i, edits in life.edits.items():
        records = by_article.get(i, [])
        captures = [_moment(r["fetched_at"]) for r in records if r["event"] in ("new", "changed")]
        first = min(captures, default=None)
        versions = [_moment(r["fetched_at"]) for r in records if r["event"] == "changed"]
        fetches = [_moment(r["fetched_at"]) for r in records if r["event"] != "removed"]
        for k, (at, change) in enumerate(edits):
            until = _until(life, i, k, end)
            if first is None or at < first or at > end - timedelta(days=1):
                continue
            counted += 1
            hit = min((v for v in versions if at <= v < until), default=None)
            if hit is not None:
                captured += 1
            elif _next_crawl(at, times) >= until:
                missed["superseded"] += 1
            elif any(at <= f < until for f in fetches):
                missed["refetched"] += 1
            else:
                missed["not_refetched_" + ("signalled" if change["signal"] else "stealth")] += 1
            if at - life.published[i] < timedelta(days=1):
                first_day.append((hit - at).total_seconds() / 3600 if hit else math.inf)
    refetches = unchanged = not_modified = 0
    last_etag: dict[str, str | None] = {}
    total_bytes = 0
    for served in seen["log"]:
        total_bytes += served.bytes
        if served.path not in index:
            continue
        if served.path in last_etag:
            refetches += 1
            if served.etag is not None and served.etag == last_etag[served.path]:
                unchanged += 1
                not_modified += served.status == 304
        if served.status in (200, 304):
            last_etag[served.path] = served.etag
    weeks = sum(
        max(0.0, (min(life.removed.get(i, end), end) - pub).total_seconds()) / (7 * 86400)
        for i, pub in enumerate(life.published)
    )
    delay = statistics.median(first_day) if first_day else None
    return {
        "edits_counted": counted,
        "edits_captured": captured,
        "captured_share": captured / counted if counted else None,
        "missed": missed,
        "over_budget": seen.get("over_budget", 0),
        "first_day_edits": len(first_day),
        "median_delay_h": None if delay is None or math.isinf(delay) else round(delay, 2),
        "refetches": refetches,
        "refetches_per_article_week": refetches / weeks if weeks else None,
        "bytes": total_bytes,
        "unchanged_refetches": unchanged,
        "not_modified_share": not_modified / unchanged if unchanged else None,
        "crawls": seen["crawls"],
        "median_gap_min": round(
            statistics.median(
                (b - a).total_seconds() / 60 for a, b in zip(times, times[1:], strict=False)
            ),
            1,
        )
        if len(times) > 1
        else None,  # fmt: skip
        "seconds": round(seen["seconds"], 1),
    }


def _fmt(value, pattern: str) -> str:
    return "-" if value is None else format(value, pattern)


def main(argv: list[str] | None = None) -> int:
    from newsarchive.config import parse_duration

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--days", type=float, default=14)
    parser.add_argument(
        "--interval", default="scheduler",
        help="when the crawls come (site time): 'scheduler' (the adaptive polling of "
        "`newsarchive schedule` with its defaults) or a fixed interval such as 1h",
    )  # fmt: skip
    parser.add_argument(
        "--recheck-interval", default=None,
        help="the same for the recheck policy (default: --interval)",
    )  # fmt: skip
    parser.add_argument("--recheck-days", type=int, default=1, help="N of the recheck policy")
    parser.add_argument("--only", default="default,recheck,never")
    parser.add_argument(
        "--smoke", action="store_true", help="40 articles over 2 days (recheck every 3h)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.articles, args.days = 40, 2
        args.recheck_interval = args.recheck_interval or "3h"

    def cadence(value: str, flag: str) -> tuple[str, timedelta]:
        if value == "scheduler":
            return "scheduler", timedelta(0)
        return "fixed", timedelta(seconds=parse_duration(value, flag))

    kind, interval = cadence(args.interval, "--interval")
    recheck_kind, recheck_interval = cadence(
        args.recheck_interval or args.interval, "--recheck-interval"
    )
    all_policies = {
        "default": {"settings": {}, "cadence": kind, "interval": interval},
        "recheck": {
            "settings": {"REVISIT_ENABLED": "0", "CONDITIONAL_REFETCH": "0"},
            "recheck_days": args.recheck_days,
            "cadence": recheck_kind,
            "interval": recheck_interval,
        },
        "never": {"settings": {"REVISIT_ENABLED": "0"}, "cadence": kind, "interval": interval},
    }
    policies = {n: all_policies[n] for n in args.only.split(",") if n in all_policies}
    life = draw_life(args.articles, args.days)
    edits = sum(len(e) for e in life.edits.values())
    print(
        f"{args.articles} articles over {args.days:g} days, crawled "
        + ("when the scheduler would" if kind == "scheduler" else f"every {args.interval}")
        + (f" (recheck every {args.recheck_interval})" if args.recheck_interval else "")
        + ": "
        f"{len(life.edits)} edited ({edits} edits), {len(life.removed)} removed"
    )
    shape = describe_life(life)
    if shape:
        print(
            f"edits after publication: median {shape['median_h']:.1f} h, 90 % within "
            f"{shape['p90_h']:.1f} h, latest {shape['max_h']:.0f} h, "
            f"{shape['first_day_share']:.1%} in the first day; {shape['several_edits']} "
            f"articles edited several times, {shape['next_edit_within_1h']} edits followed "
            "by the next within 1 h"
        )
    work = Path(tempfile.mkdtemp(prefix="bench-edits-"))
    try:
        observed = run_policies(life, policies, args.days, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = {name: measure(life, seen, args.days) for name, seen in observed.items()}
    first = next(iter(observed.values()))  # the ceiling at the first policy's crawl times
    oracle = ceiling(life, args.days, [_moment(t) for t in first["crawl_times"]])
    oracle["crawls_of"] = next(iter(observed))
    head = f"{'policy':<9} {'captured':>14} {'delay 1st day':>14} {'refetch/art/wk':>15} {'MB':>8} {'304 share':>10} {'crawls':>7} {'gap min':>8} {'wall s':>7}"
    print(head)
    for name, r in results.items():
        captured = f"{r['edits_captured']}/{r['edits_counted']} {_fmt(r['captured_share'], '.1%')}"
        delay = (
            _fmt(r["median_delay_h"], ".2f") + " h" if r["median_delay_h"] is not None else "never"
        )
        print(
            f"{name:<9} {captured:>14} {delay:>14} {_fmt(r['refetches_per_article_week'], '.2f'):>15} "
            f"{r['bytes'] / 1e6:>8.1f} {_fmt(r['not_modified_share'], '.1%'):>10} "
            f"{r['crawls']:>7} {_fmt(r['median_gap_min'], '.1f'):>8} {r['seconds']:>7.0f}"
        )
    captured = f"{oracle['edits_captured']}/{oracle['edits_counted']} {_fmt(oracle['captured_share'], '.1%')}"
    delay = _fmt(oracle["median_delay_h"], ".2f") + " h"
    print(f"{'ceiling':<9} {captured:>14} {delay:>14}   (re-fetch every article at every crawl)")
    for name, r in results.items():
        m = r["missed"]
        print(
            f"  {name} missed {r['edits_counted'] - r['edits_captured']}: "
            f"{m['superseded']} superseded before the next crawl; not re-fetched while live: "
            f"{m['not_refetched_signalled']} signalled, {m['not_refetched_stealth']} stealth; "
            f"{m['refetched']} re-fetched without a new version; "
            f"{r['over_budget']} due revisits over budget"
        )
    if "default" in results and "recheck" in results and results["recheck"]["bytes"]:
        ratio = results["default"]["bytes"] / results["recheck"]["bytes"]
        print(f"bytes: default / recheck = {ratio:.2f}")
    d = results.get("default")
    if d:
        goals = [
            ("edits captured >= 95 %", (d["captured_share"] or 0) >= GOALS["captured"]),
            ("median first-day delay <= 6 h", d["median_delay_h"] is not None and d["median_delay_h"] <= GOALS["delay_h"]),
            ("<= 5 re-fetches per article per week", (d["refetches_per_article_week"] or 0) <= GOALS["refetches"]),
            (">= 60 % of unchanged re-fetches 304", (d["not_modified_share"] or 0) >= GOALS["not_modified"]),
        ]  # fmt: skip
        if "recheck" in results:
            goals.append(("fewer bytes than recheck", d["bytes"] < results["recheck"]["bytes"]))
        for label, met in goals:
            print(f"  goal {label}: {'met' if met else 'NOT met'}")
    if not args.smoke:
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "results.json").write_text(
            json.dumps(
                {"args": vars(args), "life": shape, "results": results, "ceiling": oracle},
                indent=2,
            )
            + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
