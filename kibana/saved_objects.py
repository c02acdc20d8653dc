"""The Kibana saved-objects bundle: read it, check it, and import it into a Kibana.

The bundle (``newsarchive.ndjson`` beside this module, written by ``kibana.build_bundle``) holds
data views on the articles and versions aliases, a saved search and a dashboard. Import
goes through Kibana's saved-objects API: ``POST /api/saved_objects/_import?overwrite=true``
with the NDJSON as a multipart file field and the ``kbn-xsrf`` header. The HTTP client is
the standard library's, so the command needs nothing beyond what the project ships.
"""

from __future__ import annotations

import base64
import json
import ssl
import uuid
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit
from urllib.request import HTTPRedirectHandler, HTTPSHandler, Request, build_opener

from newsarchive.config import Config, redact, redact_url
from newsarchive.errors import NewsarchiveError

BUNDLE = Path(__file__).with_name("newsarchive.ndjson")  # package data
BUNDLE_PREFIX = "newsarchive"
DASHBOARD_ID = "newsarchive-overview"
DEFAULT_URL = "http://localhost:5601"


def load_bundle(path: Path = BUNDLE) -> list[dict[str, Any]]:
    """The saved objects of the bundle, one per non-empty line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise NewsarchiveError(f"cannot read the Kibana bundle {path}: {exc.strerror}") from None
    objects = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise NewsarchiveError(f"{path}, line {number}: not JSON ({exc})") from None
        if not isinstance(obj, dict) or not {"type", "id", "attributes"} <= set(obj):
            raise NewsarchiveError(f"{path}, line {number}: not a saved object")
        objects.append(obj)
    return objects


def for_prefix(objects: list[dict], prefix: str) -> list[dict]:
    """The bundle with data-view titles moved from ``newsarchive-*`` to ``<prefix>-*``."""
    out = json.loads(json.dumps(objects))
    if prefix == BUNDLE_PREFIX:
        return out
    for obj in out:
        if obj["type"] == "index-pattern":
            title = obj["attributes"]["title"]
            if title.startswith(BUNDLE_PREFIX + "-"):
                obj["attributes"]["title"] = prefix + title[len(BUNDLE_PREFIX) :]
    return out


def to_ndjson(objects: list[dict]) -> bytes:
    return "".join(json.dumps(o, separators=(",", ":")) + "\n" for o in objects).encode()


def multipart(ndjson: bytes, filename: str = "newsarchive.ndjson") -> tuple[bytes, str]:
    """A multipart/form-data body with one ``file`` field; returns (body, content type)."""
    boundary = f"newsarchive-{uuid.uuid4().hex}"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/ndjson\r\n\r\n"
    ).encode()
    body = head + ndjson + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def auth_headers(settings: Config) -> dict[str, str]:
    """The same credentials as for Elasticsearch: API key, else user and password."""
    if settings.es_api_key:
        return {"Authorization": f"ApiKey {settings.es_api_key}"}
    if settings.es_user:
        pair = f"{settings.es_user}:{settings.es_password or ''}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    return {}


def _ssl_context(settings: Config) -> ssl.SSLContext:
    if not settings.es_verify_certs:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    cafile = str(settings.es_ca_cert) if settings.es_ca_cert else None
    return ssl.create_default_context(cafile=cafile)


class _NoRedirects(HTTPRedirectHandler):
    """Redirects are answered, never followed: urllib would send the Authorization
    header to wherever Kibana points (another host included) and turn the POST into a
    GET. Declining here makes the 3xx surface as an HTTPError the caller explains."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _open(request: Request, *, timeout: float, context: ssl.SSLContext | None):
    handlers = [_NoRedirects()]
    if context is not None:
        handlers.append(HTTPSHandler(context=context))
    return build_opener(*handlers).open(request, timeout=timeout)


def base_url(url: str, space: str | None = None) -> str:
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NewsarchiveError(
            f"{redact_url(url)!r} is not a Kibana URL like http://localhost:5601"
        )
    return f"{url}/s/{quote(space)}" if space and space != "default" else url


def dashboard_url(url: str, space: str | None = None) -> str:
    return f"{base_url(url, space)}/app/dashboards#/view/{DASHBOARD_ID}"


def import_bundle(
    url: str,
    settings: Config,
    *,
    bundle: Path = BUNDLE,
    space: str | None = None,
    timeout: float = 30.0,
) -> dict[str, Any]:
    """Import the bundle (overwriting earlier copies); return Kibana's answer.

    Raises NewsarchiveError with one clear line when Kibana is unreachable, refuses the
    credentials, answers an error, or reports objects it could not import.
    """
    objects = for_prefix(load_bundle(bundle), settings.index_prefix)
    body, content_type = multipart(to_ndjson(objects))
    endpoint = f"{base_url(url, space)}/api/saved_objects/_import?overwrite=true"
    headers = {"kbn-xsrf": "true", "Content-Type": content_type, **auth_headers(settings)}
    request = Request(endpoint, data=body, headers=headers, method="POST")
    context = _ssl_context(settings) if endpoint.startswith("https://") else None
    try:
        with _open(request, timeout=timeout, context=context) as response:
            raw = response.read()
    except HTTPError as exc:
        if 300 <= exc.code < 400:
            target = redact_url(exc.headers.get("Location") or "?")
            raise NewsarchiveError(
                redact(
                    f"Kibana at {redact_url(url)} answered HTTP {exc.code}, a redirect to "
                    f"{target}: newsarchive does not follow redirects with your credentials; "
                    "give the address Kibana answers at with --kibana-url",
                    settings,
                )
            ) from None
        detail = _error_detail(exc.read())
        if exc.code in (401, 403):
            raise NewsarchiveError(
                f"Kibana at {url} refused the credentials (HTTP {exc.code}{detail}): check "
                "NEWSARCHIVE_ES_API_KEY or NEWSARCHIVE_ES_USER/NEWSARCHIVE_ES_PASSWORD"
            ) from None
        raise NewsarchiveError(
            redact(f"Kibana at {url} answered HTTP {exc.code}{detail}", settings)
        ) from None
    except (URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NewsarchiveError(
            redact(
                f"cannot reach Kibana at {url} ({reason}): is it running? "
                "Give its address with --kibana-url or NEWSARCHIVE_KIBANA_URL",
                settings,
            )
        ) from None
    try:
        result = json.loads(raw)
    except ValueError:
        raise NewsarchiveError(f"Kibana at {url} answered something that is not JSON") from None
    if not result.get("success", False):
        errors = result.get("errors") or []
        first = errors[0] if errors else {}
        what = f"{first.get('type')}/{first.get('id')}: {json.dumps(first.get('error'))}"
        raise NewsarchiveError(
            f"Kibana imported {result.get('successCount', 0)} of {len(objects)} objects; "
            f"{len(errors)} failed, first {what}"
        )
    return result


def _error_detail(raw: bytes) -> str:
    try:
        data = json.loads(raw)
    except ValueError:
        text = raw.decode("utf-8", "replace").strip()[:200]
        return f": {text}" if text else ""
    message = data.get("message") if isinstance(data, dict) else None
    return f": {message}" if message else ""
