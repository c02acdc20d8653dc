"""A light Elasticsearch client for the read-only commands that must start fast.

The official client costs about 110 ms to import, more than a search takes. ``search``,
``count``, ``timeline``, ``show`` and ``stats`` only send searches and counts, so they
use this: the same calls (``client.search(index=..., **body).body``,
``client.count(...)``, ``client.info()``) over the standard library's ``http.client``,
with the same settings (URL, API key or basic auth, CA bundle, verification) from
``newsarchive.es.client_options``. Anything else (bulk loads, points in time, index
administration) uses the official client.

Failures: an unreachable node, refused credentials or a server that is not
Elasticsearch raise ``ElasticsearchUnavailable`` with the message the official path
gives; any other error answer raises ``HttpApiError`` (status, body), which
``search_cli.query.errors.translated`` reads like the official client's errors.
"""

from __future__ import annotations

import base64
import http.client
import json
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from newsarchive.errors import ElasticsearchUnavailable


class HttpApiError(Exception):
    """An error answer of Elasticsearch: ``status`` and the decoded JSON ``body``."""

    def __init__(self, status: int, body: object) -> None:
        self.status = status
        self.body = body
        error = body.get("error") if isinstance(body, dict) else None
        self.error = error.get("type", "") if isinstance(error, dict) else str(error or "")
        self.message = self.error or f"HTTP {status}"
        super().__init__(f"{status} {self.message}")


@dataclass
class Answer:
    """What a call returns: the decoded body, as the official client's ``.body``."""

    body: dict


class LightClient:
    """Searches and counts against one node or cluster URL, one kept-alive connection."""

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        ca_certs: str | None = None,
        verify_certs: bool = True,
        request_timeout: float = 30,
        ssl_show_warn: bool = True,  # accepted for the official client's options; unused
    ) -> None:
        parts = urlsplit(url)
        self.url = url
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (443 if self._https else 80)
        self._base = parts.path.rstrip("/")
        self._timeout = request_timeout
        self._headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "newsarchive",
        }
        if api_key:
            self._headers["Authorization"] = f"ApiKey {api_key}"
        elif basic_auth:
            token = base64.b64encode(f"{basic_auth[0]}:{basic_auth[1]}".encode()).decode()
            self._headers["Authorization"] = f"Basic {token}"
        self._ca_certs, self._verify = ca_certs, verify_certs
        self._conn: http.client.HTTPConnection | None = None

    # --- the calls the read-only commands make ------------------------------------

    def search(self, *, index: str, **body) -> Answer:
        return Answer(self._request("POST", f"/{quote(index, safe=',*')}/_search", body))

    def count(self, *, index: str, **body) -> Answer:
        return Answer(self._request("POST", f"/{quote(index, safe=',*')}/_count", body))

    def info(self) -> Answer:
        return Answer(self._request("GET", "/", None))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # --- transport ----------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._https:
                import ssl

                context = ssl.create_default_context(cafile=self._ca_certs)
                if not self._verify:
                    context.check_hostname = False
                    context.verify_mode = ssl.CERT_NONE
                self._conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=self._timeout, context=context
                )
            else:
                self._conn = http.client.HTTPConnection(
                    self._host, self._port, timeout=self._timeout
                )
        return self._conn

    def _request(self, method: str, path: str, body: dict | None) -> dict:
        data = None if body is None else json.dumps(body, default=str).encode()
        for attempt in (1, 2):
            reused = self._conn is not None
            conn = self._connection()
            try:
                conn.request(method, self._base + path, body=data, headers=self._headers)
                response = conn.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if reused and attempt == 1:
                    continue  # a kept-alive connection the server closed: open a new one
                raise self._unreachable("the connection was closed") from None
            except OSError as exc:  # refused, timed out, TLS failures (ssl.SSLError)
                self.close()
                raise self._unreachable(str(exc) or type(exc).__name__) from None
        if response.status == 401:
            raise ElasticsearchUnavailable.credentials(self.url)
        try:
            decoded = json.loads(raw) if raw else {}
        except ValueError:
            decoded = {
                "error": {
                    "type": "invalid_response",
                    "reason": raw[:200].decode("utf-8", "replace"),
                }
            }
        if response.status >= 300:
            raise HttpApiError(response.status, decoded)
        if response.getheader("X-Elastic-Product") != "Elasticsearch":
            raise ElasticsearchUnavailable(
                f"the server at {self.url} is not Elasticsearch (it does not say so in its "
                "answers): check NEWSARCHIVE_ES_URL"
            )
        if not isinstance(decoded, dict):
            raise HttpApiError(response.status, {"error": {"type": "invalid_response"}})
        return decoded

    def _unreachable(self, reason: str) -> ElasticsearchUnavailable:
        return ElasticsearchUnavailable.unreachable(self.url, reason)
