"""What the spider hands to the pipeline: one fetched page of a source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FetchedPage:
    """A response the pipeline should classify/extract and archive.

    ``kind`` is "page" (an article candidate), "removed" (a known article that now
    answers 404/410 or redirects to the home page) or "not_modified" (a known article
    whose conditional re-fetch was answered 304). ``body`` is dropped once handled so
    finished items do not keep pages in memory. The pipeline answers in ``outcome`` and
    ``links``; it never touches the spider (``NewsSpider.on_item`` reads them).
    """

    url: str
    source_id: str
    status: int
    capture: Any
    outlet: str = ""  # the source's display name
    source_tags: dict = field(default_factory=dict)
    kind: str = "page"
    body: bytes = field(default=b"", repr=False)
    encoding: str | None = None
    feed_entry: dict | None = None
    listed_titles: list[str] = field(default_factory=list)  # the listings' headlines for it
    politics_hint: str | None = None  # the registry's politics listing it came from
    depth: int = 0
    requested_url: str | None = None
    validators: dict | None = None  # the response's ETag and Last-Modified
    # Filled by the pipeline, read by the spider when the item is scraped:
    outcome: str | None = None  # new/changed/unchanged/removed/not_article/error
    links: list[str] = field(default_factory=list)  # of a page that is not an article
    requisites: list[str] = field(default_factory=list)  # of an article, when asked for
    wants_requisites: bool = False  # the spider asks the pipeline to list them
