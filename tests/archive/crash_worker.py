"""A deterministic 'crawl' for the kill -9 test: run as ``python crash_worker.py HOME``.

Article i goes through versions 1..VERSIONS; every version is also re-fetched once
unchanged. Like a crawler using the seen-store, it skips what the archive already
holds, so a restarted run continues where the killed one stopped.
"""

from __future__ import annotations

import sys
from pathlib import Path

from crawler.archive import Archive

ARTICLES, VERSIONS = 100, 3


def url(i: int) -> str:
    return f"https://news.test/story/{i}"


def content(i: int, v: int) -> tuple[str, str]:
    paragraph = f"Paragraph about story {i}, revision {v}. " * 60
    return f"Story {i} (rev {v})", "\n\n".join([paragraph] * 4)


def main(home: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from helpers import extracted

    with Archive(home, max_warc_bytes=200_000) as archive:
        for v in range(1, VERSIONS + 1):
            for i in range(ARTICLES):
                state = archive.article_state(url(i))
                if state is not None and state.version >= v:
                    continue
                title, body = content(i, v)
                for _ in range(2):  # the second fetch is identical: a revisit, "unchanged"
                    cap = archive.capture(url(i), status=200, body=body.encode())
                    archive.record_article(
                        extracted(url(i), title, body),
                        capture=cap,
                        source_id="news",
                        outlet="News",
                        source_tags={},
                        http_status=200,
                    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
