"""One place to get an Elasticsearch client, with errors a user can act on.

The URL is NEWSARCHIVE_ES_URL when set, else the local node's (``newsarchive es
start``). Authentication: API key, or user and password; TLS verifies certificates
unless NEWSARCHIVE_ES_VERIFY_CERTS=false, which prints a warning.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from typing import TYPE_CHECKING

from newsarchive.config import Config, load_settings, redact
from newsarchive.errors import ElasticsearchUnavailable, NewsarchiveError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from newsarchive.eshttp import LightClient


# The sync client talks over urllib3; these transports are importable (Scrapy pulls in
# aiohttp) but unused, and importing them is over half of the client's import time.
_UNUSED_TRANSPORTS = ("aiohttp", "requests")


log = logging.getLogger(__name__)


def _import_client():
    """Import the client with the unused transports hidden (only while it imports, and
    only in a process that has not loaded them already), so CLI commands start fast."""
    if "elasticsearch" in sys.modules:
        import elasticsearch

        return elasticsearch
    hidden = [name for name in _UNUSED_TRANSPORTS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # `import name` now fails fast
    try:
        import elasticsearch
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                with contextlib.suppress(KeyError):
                    del sys.modules[name]
    return elasticsearch


def resolve_url(settings: Config) -> str:
    """The cluster URL to use; raises a clear error if the local node is not running."""
    if settings.es_url:
        return settings.es_url
    from newsarchive.localnode import read_state

    state = read_state(settings)
    if state is None:
        raise ElasticsearchUnavailable(
            f"the local Elasticsearch is not running (NEWSARCHIVE_HOME={settings.home}): "
            "start it with `newsarchive es start`, or set NEWSARCHIVE_ES_URL to use another cluster"
        )
    return state.url


def client_options(settings: Config) -> dict:
    """Keyword arguments for ``Elasticsearch(...)``, shared by every caller."""
    options: dict = {"request_timeout": 30}
    if settings.es_api_key:
        options["api_key"] = settings.es_api_key
    elif settings.es_user:
        options["basic_auth"] = (settings.es_user, settings.es_password or "")
    if settings.es_ca_cert:
        if not settings.es_ca_cert.is_file():
            raise NewsarchiveError(
                f"NEWSARCHIVE_ES_CA_CERT points to {settings.es_ca_cert}, which does not exist"
            )
        options["ca_certs"] = str(settings.es_ca_cert)
    if not settings.es_verify_certs:
        options["verify_certs"] = False
        options["ssl_show_warn"] = False
        log.warning(
            "TLS certificate verification is OFF (NEWSARCHIVE_ES_VERIFY_CERTS=false); "
            "traffic to Elasticsearch can be intercepted."
        )
    return options


def connect(settings: Config | None = None, *, check: bool = True) -> Elasticsearch:
    """A client for the configured cluster; with ``check``, prove it answers first."""
    Elasticsearch = _import_client().Elasticsearch

    settings = settings or load_settings()
    url = resolve_url(settings)
    client = Elasticsearch(url, **client_options(settings))
    if check:
        ensure_reachable(client, url, settings)
    return client


def connect_light(settings: Config | None = None) -> LightClient:
    """The light client (``newsarchive.eshttp``) for searches and counts only: the same
    settings as ``connect``, none of the official client's import time. It proves the
    cluster answers on its first request instead of with an extra one."""
    from newsarchive.eshttp import LightClient

    settings = settings or load_settings()
    return LightClient(resolve_url(settings), **client_options(settings))


def ensure_reachable(client: Elasticsearch, url: str, settings: Config) -> dict:
    """Call ``info()``; turn connection and auth failures into one clear line."""
    from elasticsearch import ApiError, AuthenticationException, TransportError

    try:
        return client.info().body
    except AuthenticationException:
        raise ElasticsearchUnavailable.credentials(url) from None
    except (TransportError, ApiError) as exc:
        reason = redact(str(getattr(exc, "message", exc)), settings)
        raise ElasticsearchUnavailable.unreachable(url, reason) from None
