"""``newsarchive replay``: browse the archived pages as they were, with pywb."""

from __future__ import annotations

import click


@click.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port on 127.0.0.1 to serve on (default 8090).",
)
def replay(port: int | None) -> None:
    """Serve every capture of the archive in a browser, as it was fetched.

    pywb reads NEWSARCHIVE_HOME/warc in place and listens on 127.0.0.1 only;
    nothing is fetched from the live web (a page or resource that was not archived
    is a 404). WARC files closed while it runs are served without a restart.

    \b
    http://127.0.0.1:PORT/archive/<14-digit time>/<url>   a capture (the nearest one)
    http://127.0.0.1:PORT/archive/*/<url>                 every capture of a URL
    To share it with a team, see docs/operations.md (a proxy with auth in front).
    """
    import signal
    import sys

    from crawler.archive.replay import COLLECTION, DEFAULT_PORT, ReplayServer
    from newsarchive.config import load_settings

    home = load_settings().home
    server = ReplayServer(home, port or DEFAULT_PORT)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop pywb on the way out
    try:
        server.start(notify=lambda note: click.echo(note, err=True))
        click.echo(f"replaying {home / 'warc'} at {server.base}/{COLLECTION}/")
        click.echo(f"a URL's captures: {server.base}/{COLLECTION}/*/<url>   (Ctrl-C stops)")
        code = server.wait()
        if code not in (0, -signal.SIGTERM, -signal.SIGINT):
            raise click.ClickException(f"pywb stopped with exit code {code}")
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
