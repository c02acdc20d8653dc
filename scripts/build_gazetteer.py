"""Compile the shipped gazetteer (crawler/politics/data/gazetteer.json) from CC0 data.

    python scripts/build_gazetteer.py [--data ../shared/data] [--out PATH] [EXTRA ...]

Reads congress-legislators ``legislators-current.yaml`` + ``executive.yaml`` and the
openstates people folder, and keeps, in the output, each source's repository, commit
(from the data folder's README table) and licence. EXTRA files (same formats, or a CSV)
are added as more sources: a user can compile their own gazetteer the same way and
point ``NEWSARCHIVE_GAZETTEER`` at the result, which loads faster than large YAML.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crawler.politics.gazetteer import SHIPPED, merge, read_people, write  # noqa: E402
from newsarchive.errors import ConfigError  # noqa: E402

# folder under the data root -> (files or folders to read, upstream repository)
SOURCES = {
    "congress-legislators": (
        ["legislators-current.yaml", "executive.yaml"],
        "https://github.com/unitedstates/congress-legislators",
    ),
    "openstates-executives": (["data"], "https://github.com/openstates/people"),
}


def commits(readme: Path) -> dict[str, str]:
    """folder -> upstream commit, from the data README's table."""
    found = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`([\w-]+)/`\s*\|[^|]*\|\s*([0-9a-f]{40})", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=SHIPPED)
    ap.add_argument("extra", nargs="*", type=Path, help="more files or folders to add")
    args = ap.parse_args(argv)
    try:
        known = commits(args.data / "README.md")
        people, sources = [], []
        for folder, (parts, repo) in SOURCES.items():
            licence = (args.data / folder / "LICENSE").read_text(encoding="utf-8")
            if "CC0" not in licence and "Creative Commons" not in licence:
                raise ConfigError(f"{args.data / folder}/LICENSE is not the expected CC0 licence")
            for part in parts:
                people += read_people(args.data / folder / part, source=folder)
            sources.append(
                {
                    "name": folder,
                    "repository": repo,
                    "commit": known.get(folder),
                    "files": parts,
                    "licence": "CC0-1.0",
                }
            )
        for path in args.extra:
            people += read_people(path, source=str(path))
            sources.append({"name": path.name, "file": str(path)})
        merged = merge(people)
        write(args.out, merged, sources)
    except (ConfigError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.out}: {len(merged)} people from {len(sources)} sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
