"""Render the trials a reliability run recorded (RELIABILITY_REPORT JSON) as the
Markdown table of docs/reliability.md.

    python -m tests.reliability.report RESULTS.json [--doc docs/reliability.md]

With ``--doc`` the table between the ``<!-- table -->`` markers of that file is
replaced; without, it is printed.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from pathlib import Path

START, END = "<!-- table:start -->", "<!-- table:end -->"


def table(trials: list[dict]) -> str:
    cases: dict[str, dict] = defaultdict(
        lambda: {"runs": 0, "tries": 0, "outcomes": defaultdict(int), "lost": 0, "status": defaultdict(int)}
    )  # fmt: skip
    for t in trials:
        c = cases[t["case"]]
        c["runs"] += 1
        c["tries"] += t["tries"]
        c["lost"] += t["lost"]
        c["status"][t["status"]] += 1
        for name, n in t["outcomes"].items():
            c["outcomes"][name] += n
    rows = [
        "| fault or input class | test runs | tries | outcomes | lost | result |",
        "|---|---:|---:|---|---:|---|",
    ]
    for name, c in cases.items():
        outcomes = "; ".join(f"{k}: {v}" for k, v in c["outcomes"].items()) or "-"
        status = ", ".join(f"{v} {k}" for k, v in sorted(c["status"].items()))
        rows.append(
            f"| {name} | {c['runs']} | {c['tries']} | {outcomes} | {c['lost']} | {status} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", type=Path)
    parser.add_argument("--doc", type=Path)
    args = parser.parse_args()
    text = table(json.loads(args.results.read_text()))
    if args.doc is None:
        print(text)
        return
    doc = args.doc.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    args.doc.write_text(pattern.sub(lambda _: f"{START}\n{text}\n{END}", doc))
    print(text)


if __name__ == "__main__":
    main()
