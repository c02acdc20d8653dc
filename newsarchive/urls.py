"""The one place where a URL's host becomes the site it names.

Outlets serve the same pages under ``example.org`` and ``www.example.org``; every
comparison of sites (a source's domains, an article's ``domain``, a canonical link on
the same site, the site's own name in a byline) uses these functions.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def site_host(host: str | None) -> str:
    """A host name, lower case, without a trailing dot or a leading ``www.``."""
    host = (host or "").strip().lower().rstrip(".")
    return host.removeprefix("www.")


def site_of(url: str | None) -> str:
    """The site host of a URL ("" when it has none or cannot be parsed)."""
    try:
        return site_host(urlsplit(url or "").hostname)
    except ValueError:
        return ""


def host_under(host: str, domain: str) -> bool:
    """``host`` is ``domain`` or one of its subdomains (both already lower case)."""
    return host == domain or host.endswith("." + domain)
