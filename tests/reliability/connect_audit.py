"""Run ``newsarchive`` with every outgoing socket connection logged before it is made.

    python -m tests.reliability.connect_audit LOG newsarchive-args...

A Python audit hook sees each ``socket.connect``/``connect_ex`` call (Twisted's too)
before the kernel does, so a test reading LOG can prove that a target was never
attempted, not merely that it never answered.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    log = open(sys.argv[1], "a", encoding="utf-8")  # noqa: SIM115 - open for the process's life

    def hook(event: str, args: tuple) -> None:
        if event == "socket.connect":
            address = args[1]
            host = address[0] if isinstance(address, tuple) else str(address)
            log.write(json.dumps({"host": str(host), "address": repr(address)}) + "\n")
            log.flush()

    sys.addaudithook(hook)
    sys.argv = ["newsarchive", *sys.argv[2:]]
    from search_cli.cli import main as cli

    cli()


def attempted_hosts(log_path) -> list[str]:
    """The hosts connections were attempted to, in order."""
    try:
        lines = Path(log_path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line)["host"] for line in lines if line.strip()]


if __name__ == "__main__":
    main()
