"""Errors a user can act on. The CLI prints their message as one line, never a traceback."""

from __future__ import annotations


class NewsarchiveError(Exception):
    """A runtime failure with a message that says what went wrong and what to do (exit 1)."""

    exit_code = 1


class ConfigError(NewsarchiveError):
    """A configuration file or environment variable is invalid; the message names it."""


class ElasticsearchUnavailable(NewsarchiveError):
    """The configured Elasticsearch cannot be reached; the message names the URL."""

    @classmethod
    def unreachable(cls, url: str, reason: str) -> ElasticsearchUnavailable:
        return cls(
            f"cannot reach Elasticsearch at {url} ({reason}): check NEWSARCHIVE_ES_URL, "
            "or run `newsarchive es start` for the local node"
        )

    @classmethod
    def credentials(cls, url: str) -> ElasticsearchUnavailable:
        return cls(
            f"Elasticsearch at {url} rejected the credentials: check NEWSARCHIVE_ES_API_KEY "
            "or NEWSARCHIVE_ES_USER/NEWSARCHIVE_ES_PASSWORD"
        )


class IndexBusy(NewsarchiveError):
    """Another index run holds the lock for this home and prefix; retrying later is safe."""


class ArchiveWriteError(NewsarchiveError):
    """Writing the archive failed (disk full, permissions); the archive is left valid."""
