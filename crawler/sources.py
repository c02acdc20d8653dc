"""The source registry: which outlets to crawl and where their articles are listed.

The registry is one TOML file (``crawler/sources.toml`` in the repo, or the file named by
``--sources`` / ``NEWSARCHIVE_SOURCES``). Loading validates every entry and reports the
first bad one by its position, id and field, so users can edit it without reading code.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsarchive.config import parse_duration, read_toml
from newsarchive.errors import ConfigError
from newsarchive.urls import host_under, site_host

DEFAULT_REGISTRY = Path(__file__).with_name("sources.toml")
REGISTRY_VERSION = 1
MAX_SECTION_DEPTH = 5
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_TAG_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_HOST_RE = re.compile(r"^[a-z0-9.-]+(:\d+)?$")
# A path pattern: "/" then path characters; "*" matches within one segment, "**" spans any
# number of segments. No query, fragment or whitespace: scope is about where a page lives.
_PATTERN_RE = re.compile(r"^/[A-Za-z0-9\-._~%!$&'()+,;=:@*/]*$")
PATTERN_HELP = (
    'a path pattern starting with \'/\', e.g. "/politics/" or "/*/*/*/politics/" '
    "('*' matches within one path segment, '**' any number of segments)"
)

_FIELDS = {
    "id",
    "name",
    "homepage",
    "domains",
    "feeds",
    "sitemaps",
    "sections",
    "section_depth",
    "tags",
    "verified",
    "enabled",
    "interval",
    "min_interval",
    "max_interval",
    "include",
    "exclude",
    "politics_listings",
    "evidence",
    "note",
    "requisites",
    "requisite_hosts",
    "revisit",
}
MAX_REVISIT_POINTS = 20


@dataclass(frozen=True)
class Source:
    """One outlet of the registry."""

    id: str
    name: str
    homepage: str
    domains: tuple[str, ...]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    section_depth: int = 1
    tags: dict[str, str | list[str]] = field(default_factory=dict)
    verified: bool = False
    enabled: bool = True
    interval: float | None = None  # seconds between scheduled crawls (see the scheduler)
    min_interval: float | None = None  # bounds of the scheduler's adaptive intervals
    max_interval: float | None = None
    include: tuple[str, ...] = ()  # path patterns an article URL must match (none: all)
    exclude: tuple[str, ...] = ()  # path patterns that rule an article URL out (win)
    politics_listings: tuple[str, ...] = ()  # feeds/sitemaps/sections carrying politics only
    evidence: dict[str, str] = field(default_factory=dict)  # URL -> where it is reported
    note: str = ""  # why the entry is disabled, or what is known to go wrong with it
    requisites: bool = False  # also archive the images, CSS and scripts of its articles
    requisite_hosts: tuple[str, ...] = ()  # CDN hosts those may come from, besides domains
    # When archived articles are fetched again: True, the crawl's schedule
    # (REVISIT_SCHEDULE); False, never; or its own points in seconds after the capture
    # of the current version (empty: only when a listing dates an article after its
    # last capture).
    revisit: tuple[float, ...] | bool = True

    def in_scope(self, url: str) -> bool:
        """True if ``url`` is on one of the source's domains (or their subdomains)."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host_under(host, d) for d in self._scope_hosts)

    def wants(self, url: str) -> bool:
        """True if a discovered article URL is inside the source's path scope: it matches
        an ``include`` pattern (or there are none) and no ``exclude`` pattern.

        Domains are ``in_scope``'s business; this is the topical cut, applied to every
        candidate the crawl discovers (feed and sitemap entries, section and index links).
        """
        path = (urlsplit(url).path or "/").lower()
        if self.exclude and path_matcher(self.exclude).match(path):
            return False
        return not self.include or bool(path_matcher(self.include).match(path))

    def politics_hint(self, listing_url: str, kind: str) -> str | None:
        """The hint for the extractor when ``listing_url`` is a politics-only listing."""
        if listing_url in self.politics_listings:
            return f"politics {kind} {listing_url}"
        return None

    @property
    def _scope_hosts(self) -> tuple[str, ...]:
        return tuple(d.split(":")[0] for d in self.domains)

    def requisite_in_scope(self, url: str) -> bool:
        """True if a page requisite at ``url`` may be fetched: on the source's domains or
        on one of its ``requisite_hosts`` (exactly, or their subdomains)."""
        if self.in_scope(url):
            return True
        host = (urlsplit(url).hostname or "").lower()
        return any(host_under(host, h) for h in self.requisite_hosts)

    @property
    def discovery_urls(self) -> tuple[str, ...]:
        return self.feeds + self.sitemaps + self.sections

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "homepage": self.homepage,
            "domains": list(self.domains),
            "feeds": list(self.feeds),
            "sitemaps": list(self.sitemaps),
            "sections": list(self.sections),
            "section_depth": self.section_depth,
            "tags": dict(self.tags),
            "verified": self.verified,
            "enabled": self.enabled,
            "interval": self.interval,
            "min_interval": self.min_interval,
            "max_interval": self.max_interval,
            "include": list(self.include),
            "exclude": list(self.exclude),
            "politics_listings": list(self.politics_listings),
            "evidence": dict(self.evidence),
            "note": self.note or None,
            "requisites": self.requisites,
            "requisite_hosts": list(self.requisite_hosts),
            "revisit": self.revisit if isinstance(self.revisit, bool) else list(self.revisit),
        }


def under_section(url: str, section_url: str) -> bool:
    """Whether ``url`` lives under the path of a section page (a politics section's
    links carry its hint only there: its menus link to the whole site)."""
    base = (urlsplit(section_url).path or "/").rstrip("/").lower()
    path = (urlsplit(url).path or "/").lower()
    return not base or path == base or path.startswith(base + "/")


@cache
def path_matcher(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression for a list of path patterns (case-insensitive, by segment).

    A pattern matches a path that starts with its segments: "/politics" and "/politics/"
    both match "/politics/2024/story" but not "/politics-and-pop/story".
    """
    alternatives = []
    for pattern in patterns:
        parts = []
        for segment in pattern.lower().strip("/").split("/"):
            if segment == "**":
                parts.append("(?:/[^/]*)*?")
            elif segment:
                parts.append("/" + "[^/]*".join(re.escape(p) for p in segment.split("*")))
        alternatives.append("".join(parts))
    return re.compile("^(?:" + "|".join(alternatives) + ")(?:/|$)")


def check_pattern(pattern: object) -> str | None:
    """Why ``pattern`` is not a valid path pattern, or None when it is."""
    if not isinstance(pattern, str) or not _PATTERN_RE.match(pattern):
        return "is not " + PATTERN_HELP
    segments = pattern.strip("/").split("/")
    if pattern != "/" and "" in segments:
        return "has an empty segment ('//')"
    if any("**" in s and s != "**" for s in segments):
        return "uses '**' inside a segment (it must be a whole segment: '/**/politics/')"
    return None


def registry_path(path: str | os.PathLike | None = None) -> Path:
    """The registry file to use: explicit path, then $NEWSARCHIVE_SOURCES, then the repo's."""
    if path:
        return Path(path).expanduser()
    env = os.environ.get("NEWSARCHIVE_SOURCES")
    return Path(env).expanduser() if env else DEFAULT_REGISTRY


def load_sources(path: str | os.PathLike | None = None) -> list[Source]:
    """Read and validate the registry; raise ConfigError naming the bad entry and field."""
    file = registry_path(path)
    return parse_registry(read_toml(file, "source registry"), str(file))


def parse_registry(data: dict[str, Any], origin: str = "source registry") -> list[Source]:
    unknown = sorted(set(data) - {"version", "source"})
    if unknown:
        raise ConfigError(f"{origin}: unknown top-level key {unknown[0]!r}")
    version = data.get("version", REGISTRY_VERSION)
    if version != REGISTRY_VERSION:
        raise ConfigError(f"{origin}: version {version!r} is not supported (expected 1)")
    entries = data.get("source", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{origin}: sources must be given as [[source]] tables")
    sources: list[Source] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        source = _parse_entry(entry, f"{origin}: source #{index}")
        if source.id in seen:
            raise ConfigError(f"{origin}: source #{index}: duplicate id {source.id!r}")
        seen.add(source.id)
        sources.append(source)
    return sources


def select_sources(
    sources: list[Source], ids: list[str] | tuple[str, ...] | None, *, all_: bool = False
) -> list[Source]:
    """The sources named by ``ids`` (in registry order), or every enabled one with ``all_``."""
    if all_ or not ids:
        return [s for s in sources if s.enabled]
    known = {s.id: s for s in sources}
    missing = [i for i in ids if i not in known]
    if missing:
        raise ConfigError(
            f"unknown source id {missing[0]!r} (known: {', '.join(sorted(known)) or 'none'})"
        )
    wanted = set(ids)
    return [s for s in sources if s.id in wanted]


def _parse_entry(entry: dict[str, Any], where: str) -> Source:
    sid = entry.get("id")
    if not isinstance(sid, str) or not _ID_RE.match(sid):
        raise ConfigError(
            f"{where}: field 'id' must be a short lowercase name ([a-z0-9_-]), got {sid!r}"
        )
    where = f"{where} ({sid!r})"
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise ConfigError(f"{where}: unknown field {unknown[0]!r}")

    def text(name: str, required: bool = True) -> str:
        value = entry.get(name)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{where}: field {name!r} must be a non-empty string")
        return value.strip()

    def url(name: str, value: object) -> str:
        if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
            raise ConfigError(f"{where}: field {name!r}: {value!r} is not an http(s) URL")
        if not urlsplit(value).hostname:
            raise ConfigError(f"{where}: field {name!r}: {value!r} has no host")
        return value

    def url_list(name: str) -> tuple[str, ...]:
        value = entry.get(name, [])
        if not isinstance(value, list):
            raise ConfigError(f"{where}: field {name!r} must be a list of URLs")
        return tuple(url(name, v) for v in value)

    def patterns(name: str) -> tuple[str, ...]:
        value = entry.get(name, [])
        if not isinstance(value, list):
            raise ConfigError(f"{where}: field {name!r} must be a list of path patterns")
        for pattern in value:
            problem = check_pattern(pattern)
            if problem:
                raise ConfigError(f"{where}: field {name!r}: {pattern!r} {problem}")
        return tuple(value)

    def flag(name: str, default: bool) -> bool:
        value = entry.get(name, default)
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: field {name!r} must be true or false")
        return value

    def hosts(name: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
            raise ConfigError(f"{where}: field {name!r} must be a list of host names")
        out = tuple(site_host(d) for d in value)
        for d in out:
            if not d or not _HOST_RE.match(d):
                raise ConfigError(f"{where}: field {name!r}: {d!r} is not a host name")
        return out

    name = text("name")
    homepage = url("homepage", entry.get("homepage"))
    raw_domains = entry.get("domains") or [urlsplit(homepage).netloc]
    domains = hosts("domains", raw_domains)
    feeds, sitemaps, sections = url_list("feeds"), url_list("sitemaps"), url_list("sections")
    depth = entry.get("section_depth", 1)
    if not isinstance(depth, int) or isinstance(depth, bool) or not 0 <= depth <= MAX_SECTION_DEPTH:
        raise ConfigError(
            f"{where}: field 'section_depth' must be an integer from 0 to {MAX_SECTION_DEPTH}"
        )
    tags = entry.get("tags", {})
    if not isinstance(tags, dict):
        raise ConfigError(f"{where}: field 'tags' must be a table of key = \"value\" pairs")
    for key, value in tags.items():
        if not _TAG_KEY_RE.match(key):
            raise ConfigError(f"{where}: field 'tags': key {key!r} must match [a-z][a-z0-9_]*")
        ok = isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
        if not ok:
            raise ConfigError(f"{where}: field 'tags.{key}' must be a string or list of strings")
    include, exclude = patterns("include"), patterns("exclude")
    note = text("note", required=False)
    interval, low, high = (
        parse_duration(entry[name], f"{where}: field {name!r}") if name in entry else None
        for name in ("interval", "min_interval", "max_interval")
    )
    problem = interval_bounds_problem(interval, low, high)
    if problem:
        raise ConfigError(f"{where}: {problem}")
    source = Source(
        id=sid,
        name=name,
        homepage=homepage,
        domains=domains,
        feeds=feeds,
        sitemaps=sitemaps,
        sections=sections,
        section_depth=depth,
        tags=dict(tags),
        verified=flag("verified", False),
        enabled=flag("enabled", True),
        interval=interval,
        min_interval=low,
        max_interval=high,
        include=include,
        exclude=exclude,
        politics_listings=url_list("politics_listings"),
        evidence=_evidence(entry.get("evidence", {}), where),
        note=note,
        requisites=flag("requisites", False),
        requisite_hosts=hosts("requisite_hosts", entry.get("requisite_hosts", [])),
        revisit=_revisit(entry.get("revisit", True), where),
    )
    listings = set(source.discovery_urls)
    for u in source.politics_listings:
        if u not in listings:
            raise ConfigError(
                f"{where}: field 'politics_listings': {u!r} is not one of the source's "
                "feeds, sitemaps or sections"
            )
    for u in source.evidence:
        if u not in listings and u != source.homepage:
            raise ConfigError(
                f"{where}: field 'evidence': {u!r} is not the homepage or one of the "
                "source's feeds, sitemaps or sections"
            )
    for field_name in ("sections",):
        for u in getattr(source, field_name):
            if not source.in_scope(u):
                raise ConfigError(
                    f"{where}: field {field_name!r}: {u!r} is outside the source's domains"
                )
    if not source.discovery_urls:
        raise ConfigError(f"{where}: give at least one of 'feeds', 'sitemaps' or 'sections'")
    return source


def interval_bounds_problem(
    interval: float | None, low: float | None, high: float | None
) -> str | None:
    """Why an interval and its adaptive bounds disagree (None when they do not)."""
    from newsarchive.dates import format_duration

    if low is not None and high is not None and low > high:
        return (
            f"'min_interval' ({format_duration(low)}) is longer than "
            f"'max_interval' ({format_duration(high)})"
        )
    if interval is not None and low is not None and interval < low:
        return (
            f"'interval' ({format_duration(interval)}) is shorter than "
            f"'min_interval' ({format_duration(low)})"
        )
    if interval is not None and high is not None and interval > high:
        return (
            f"'interval' ({format_duration(interval)}) is longer than "
            f"'max_interval' ({format_duration(high)})"
        )
    return None


def _revisit(value: object, where: str) -> tuple[float, ...] | bool:
    """``revisit``: true (the crawl's schedule), false (never), or a list of durations
    after an article was first seen, e.g. ["2h", "1d", "7d"]."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, list):
        raise ConfigError(
            f'{where}: field \'revisit\' must be true, false or a list of durations, e.g. ["6h", "1d"]'
        )
    return revisit_points(value, f"{where}: field 'revisit'")


def revisit_points(values: list | tuple, where: str) -> tuple[float, ...]:
    """Revisit points (durations after a version's capture) in seconds, ascending."""
    if len(values) > MAX_REVISIT_POINTS:
        raise ConfigError(f"{where}: more than {MAX_REVISIT_POINTS} revisit points")
    return tuple(sorted({parse_duration(v, where) for v in values}))


def _evidence(value: object, where: str) -> dict[str, str]:
    """``[source.evidence]``: URL = "where this URL is reported" (one string per URL)."""
    if not isinstance(value, dict):
        raise ConfigError(f'{where}: field \'evidence\' must be a table of "URL" = "text" pairs')
    for url, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(
                f"{where}: field 'evidence': the value for {url!r} must be a non-empty string "
                "saying where the URL is reported"
            )
    return {url: text.strip() for url, text in value.items()}
