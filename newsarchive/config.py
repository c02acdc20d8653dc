"""Configuration from environment variables and an optional TOML file.

Precedence: environment > config file > defaults. The config file is
``$NEWSARCHIVE_CONFIG`` if set, else ``$NEWSARCHIVE_HOME/config.toml`` if it exists.
Secrets (API key, password) are kept out of ``repr`` so they never reach logs.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from newsarchive.errors import ConfigError

DEFAULT_LOCAL_PORT = 9250  # not 9200, so a user's own Elasticsearch keeps its port
DEFAULT_LOCAL_HEAP = "512m"

# config-file key (section.key) -> (Config field, environment variable)
_KEYS: dict[str, tuple[str, str]] = {
    "home": ("home", "NEWSARCHIVE_HOME"),
    "elasticsearch.url": ("es_url", "NEWSARCHIVE_ES_URL"),
    "elasticsearch.api_key": ("es_api_key", "NEWSARCHIVE_ES_API_KEY"),
    "elasticsearch.user": ("es_user", "NEWSARCHIVE_ES_USER"),
    "elasticsearch.password": ("es_password", "NEWSARCHIVE_ES_PASSWORD"),
    "elasticsearch.ca_cert": ("es_ca_cert", "NEWSARCHIVE_ES_CA_CERT"),
    "elasticsearch.verify_certs": ("es_verify_certs", "NEWSARCHIVE_ES_VERIFY_CERTS"),
    "elasticsearch.index_prefix": ("index_prefix", "NEWSARCHIVE_INDEX_PREFIX"),
    "local.port": ("local_port", "NEWSARCHIVE_LOCAL_ES_PORT"),
    "local.heap": ("local_heap", "NEWSARCHIVE_LOCAL_ES_HEAP"),
    "crawler.user_agent": ("user_agent", "NEWSARCHIVE_USER_AGENT"),
    "politics.gazetteer": ("gazetteer_files", "NEWSARCHIVE_GAZETTEER"),
    "stories.enabled": ("stories", "NEWSARCHIVE_STORIES"),
    "stories.threshold": ("story_threshold", "NEWSARCHIVE_STORY_THRESHOLD"),
    "stories.min_words": ("story_min_words", "NEWSARCHIVE_STORY_MIN_WORDS"),
    "stories.wire_tag": ("story_wire_tag", "NEWSARCHIVE_STORY_WIRE_TAG"),
}


@dataclass(frozen=True)
class Config:
    home: Path = Path("data")
    es_url: str | None = None  # None: use the embedded local node
    es_api_key: str | None = field(default=None, repr=False)
    es_user: str | None = None
    es_password: str | None = field(default=None, repr=False)
    es_ca_cert: Path | None = None
    es_verify_certs: bool = True
    index_prefix: str = "newsarchive"
    local_port: int = DEFAULT_LOCAL_PORT
    local_heap: str = DEFAULT_LOCAL_HEAP
    user_agent: str | None = None
    gazetteer_files: tuple[Path, ...] = ()  # more gazetteer files, after the shipped one
    # same-story clustering at index time (indexer/stories, docs/indexing.md)
    stories: bool = True
    story_threshold: float = 0.45  # containment of the shorter text in the other
    story_min_words: int = 50  # shorter bodies are never matched
    story_wire_tag: str = "kind=wire"  # registry tag of wire outlets
    config_file: Path | None = None

    @property
    def uses_local_node(self) -> bool:
        return self.es_url is None

    @property
    def secrets(self) -> list[str]:
        """Values that must never be printed, for redaction of logs and reports."""
        return [s for s in (self.es_api_key, self.es_password) if s]


def _flatten(data: Mapping, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _coerce(name: str, raw: object, source: str) -> object:
    if raw is None or raw == "":
        return None
    try:
        if name == "gazetteer_files":
            items = raw if isinstance(raw, list) else str(raw).split(os.pathsep)
            return tuple(Path(str(i)).expanduser() for i in items if str(i).strip()) or None
        if name in ("home", "es_ca_cert"):
            return Path(str(raw)).expanduser()
        if name == "local_port":
            port = int(raw)
            if not 0 <= port <= 65535:
                raise ValueError("port out of range")
            return port
        if name in ("es_verify_certs", "stories"):
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError("expected true or false")
        if name in ("story_threshold", "story_min_words") and isinstance(raw, bool):
            raise ValueError("expected a number")
        if name == "story_threshold":
            value = float(raw)
            if not 0 < value <= 1:
                raise ValueError("expected a number above 0 and at most 1")
            return value
        if name == "story_min_words":
            number = int(raw)
            if number < 10:
                raise ValueError("expected a whole number of at least 10")
            return number
        if name == "story_wire_tag":
            key, sep, value = str(raw).partition("=")
            if not sep or not key.strip() or not value.strip():
                raise ValueError("expected key=value, e.g. kind=wire")
            return f"{key.strip()}={value.strip()}"
        if name == "es_url":
            url = str(raw).strip().rstrip("/")
            if not url.startswith(("http://", "https://")):
                raise ValueError("expected an http:// or https:// URL")
            parts = urlsplit(url)
            if not parts.hostname:
                raise ValueError("the URL has no host")
            try:
                port = parts.port  # raises ValueError for a port out of range
            except ValueError:
                port = 0
            if port == 0:
                raise ValueError("the port must be a number from 1 to 65535")
            if port is None:  # the client needs one: the scheme's own, as a browser would
                netloc = f"{parts.netloc}:{443 if parts.scheme == 'https' else 80}"
                url = urlunsplit(parts._replace(netloc=netloc)).rstrip("/")
            return url
        return str(raw)
    except ValueError as exc:
        shown = "<secret>" if name in ("es_api_key", "es_password") else repr(raw)
        raise ConfigError(redact_url(f"{source}: invalid value {shown} ({exc})")) from None


def read_toml(path: Path, what: str) -> dict:
    """Parse a TOML file; any failure is a ConfigError naming ``what`` and the path."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{what} {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} {path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{what} {path} is not UTF-8 text (byte {exc.start}): TOML files must be UTF-8; "
            "save it again in that encoding"
        ) from None


def _read_file(path: Path) -> dict[str, object]:
    flat = _flatten(read_toml(path, "config file"))
    unknown = sorted(set(flat) - set(_KEYS))
    if unknown:
        known = ", ".join(sorted(_KEYS))
        raise ConfigError(f"config file {path}: unknown key {unknown[0]!r} (known keys: {known})")
    return flat


def load_settings(env: Mapping[str, str] | None = None) -> Config:
    """Build the settings from the environment and the optional config file."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    config_path: Path | None = None
    if env.get("NEWSARCHIVE_CONFIG"):
        config_path = Path(env["NEWSARCHIVE_CONFIG"]).expanduser()
        if not config_path.is_file():
            raise ConfigError(f"NEWSARCHIVE_CONFIG points to {config_path}, which does not exist")
    else:
        home = Path(env.get("NEWSARCHIVE_HOME") or "data").expanduser()
        if (home / "config.toml").is_file():
            config_path = home / "config.toml"
    if config_path is not None:
        for key, raw in _read_file(config_path).items():
            name = _KEYS[key][0]
            values[name] = _coerce(name, raw, f"config file {config_path}, key {key!r}")
    for name, var in _KEYS.values():
        if var in env and env[var] != "":
            values[name] = _coerce(name, env[var], f"environment variable {var}")
    known = {f.name for f in fields(Config)}
    values = {k: v for k, v in values.items() if k in known and v is not None}
    if values.get("es_url"):
        _move_url_credentials(values)
    return Config(config_file=config_path, **values)


def _move_url_credentials(values: dict[str, object]) -> None:
    """Take ``user:password@`` out of the ES URL into the basic-auth settings.

    The URL appears in messages and logs; credentials must not travel with it.
    Explicit NEWSARCHIVE_ES_USER/_PASSWORD win over the URL's.
    """
    parts = urlsplit(str(values["es_url"]))
    if parts.username is None and parts.password is None:
        return
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    values["es_url"] = urlunsplit(parts._replace(netloc=netloc)).rstrip("/")
    if parts.username and not values.get("es_user"):
        values["es_user"] = unquote(parts.username)
    if parts.password and not values.get("es_password"):
        values["es_password"] = unquote(parts.password)


def redact(text: str, settings: Config | None = None) -> str:
    """``text`` with the user-info of every URL and every secret of ``settings``
    replaced by ``***``."""
    text = redact_url(text)
    for secret in settings.secrets if settings else ():
        text = text.replace(secret, "***")
    return text


# scheme://user:password@ or scheme://token@ anywhere in a text
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/?#@\s]*)@")


def redact_url(text: str) -> str:
    """Every URL in ``text`` with its password (or a lone user-info token) as ``***``."""

    def hide(match: re.Match) -> str:
        user, sep, _password = match.group(2).partition(":")
        return f"{match.group(1)}{user}:***@" if sep else f"{match.group(1)}***@"

    return _USERINFO.sub(hide, text)


def parse_duration(value: object, where: str) -> float:
    """A duration of a config file or registry entry in seconds; ``where`` names it."""
    from newsarchive.dates import DateError
    from newsarchive.dates import parse_duration as seconds

    try:
        return seconds(value)
    except DateError as exc:
        raise ConfigError(f"{where}: {exc}") from None
