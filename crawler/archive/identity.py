"""Article identity: canonical URL normalization, stable ids and content hashes.

The one place these rules live. The indexer imports this module; nothing else may
re-implement them, or ids and version decisions would drift apart.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from newsarchive.urls import site_host, site_of

# Query parameters that only track the visitor and never change the page.
_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|_gl|"
    r"cmpid|ocid|ito|smid|smtyp|taid|ref|ref_src|referrer|share|sharetype|s_cid)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def normalize_url(url: str) -> str:
    """The canonical form of an article URL, used as the seen-store key.

    Lower-case scheme and host, no default port, no fragment, no tracking parameters,
    remaining query parameters sorted, percent-encoding normalized, ``http`` folded
    into ``https`` and a leading ``www.`` dropped (outlets serve both). A trailing
    slash on a non-root path is kept: some sites treat it as a different page.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "http":
        scheme = "https"
    host = site_host(parts.hostname)
    port = parts.port
    netloc = host if port is None or str(port) in _DEFAULT_PORTS.values() else f"{host}:{port}"
    path = quote(unquote(parts.path or "/"), safe="/:@!$&'()*+,;=-._~")
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING_PARAMS.match(k)
    )
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def article_id(url: str) -> str:
    """Stable article id: sha1 hex of the normalized canonical URL."""
    return hashlib.sha1(normalize_url(url).encode("utf-8")).hexdigest()


def same_site(url_a: str, url_b: str) -> bool:
    """Whether two URLs share a host (ignoring ``www.``): a canonical link we may trust."""

    return bool(site_of(url_a)) and site_of(url_a) == site_of(url_b)


def choose_canonical(fetched_url: str, canonical_url: str | None) -> str:
    """The URL that identifies the article.

    The page's canonical link is trusted only when it stays on the same site and is
    not the site root: misconfigured sites point every article at their home page.
    """
    if (
        canonical_url
        and same_site(fetched_url, canonical_url)
        and urlsplit(normalize_url(canonical_url)).path not in ("", "/")
    ):
        return canonical_url
    return fetched_url


def normalize_text(text: str | None) -> str:
    """Text as compared between versions: NFKC, unified quotes/dashes, collapsed space.

    Cosmetic changes (typographic quotes, non-breaking spaces, re-wrapped paragraphs)
    must not create a new version.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_PUNCT)
    return " ".join(text.split())


_PUNCT = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
    }
)


def content_hash(title: str | None, body: str | None) -> str:
    """sha256 hex of the normalized title and body: equal hashes mean the same version."""
    data = normalize_text(title) + "\n\x1e\n" + normalize_text(body)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def version_hash(extracted: dict) -> str:
    """The content hash of an extraction: its title and its body as the extraction rules
    left it, before the source's learnt boilerplate went (``rule_body``, present only
    when blocks were dropped). What the learnt state drops never moves the hash, so a
    re-capture of an unchanged page is never a new version because the state learnt."""
    body = extracted.get("rule_body") or extracted.get("body")
    return content_hash(extracted.get("title"), body)
