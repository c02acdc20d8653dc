"""The gazetteer: politicians with ids, name forms and dated terms (office, party, state).

The project ships a derived file (``data/gazetteer.json``, built by
``scripts/build_gazetteer.py`` from CC0 data, its sources kept in the file). Users add
people without code: ``NEWSARCHIVE_GAZETTEER`` (or ``politics.gazetteer`` in the config
file) names more files, each one of

- a congress-legislators YAML list (``legislators-historical.yaml``, ``executive.yaml``...),
- an openstates person YAML file, or a folder of them (read recursively),
- a CSV of their own (``id,name`` required; ``first, last, nickname, aliases, office,
  party, state, district, start, end`` optional; one row per term, rows of one id merge),
- a gazetteer JSON file in the shipped format (what the build script writes).

People with the same id merge (their terms add up). A file that cannot be used is a
``ConfigError`` naming the file and what is wrong.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

from crawler.politics.names import given_forms, given_part
from newsarchive.errors import ConfigError

SHIPPED = Path(__file__).with_name("data") / "gazetteer.json"
FORMAT = "newsarchive-gazetteer"
FORMAT_VERSION = 1

# Office kinds of the sources -> how records name the office.
OFFICES = {
    "prez": "President",
    "viceprez": "Vice President",
    "sen": "U.S. Senator",
    "rep": "U.S. Representative",
    "governor": "Governor",
    "lt_governor": "Lieutenant Governor",
    "attorney general": "Attorney General",
    "secretary of state": "Secretary of State",
    "chief election officer": "Chief Election Officer",
    "treasurer": "Treasurer",
    "auditor": "Auditor",
    "upper": "State Senator",
    "lower": "State Representative",
    "legislature": "State Legislator",
}

# Party names of the sources -> one spelling for search and counts.
_PARTIES = {
    "democrat": "Democratic",
    "democratic": "Democratic",
    "democratic-farmer-labor": "Democratic",
    "republican": "Republican",
    "independent": "Independent",
    "libertarian": "Libertarian",
    "green": "Green",
    "no party": None,
    "": None,
}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CSV_COLUMNS = {"id", "name", "first", "last", "nickname", "aliases", "office", "party"}
_CSV_COLUMNS |= {"state", "district", "start", "end"}


def canonical_party(name: str | None) -> str | None:
    if name is None:
        return None
    text = str(name).strip()
    return _PARTIES.get(text.casefold(), text) if text else None


@dataclass(frozen=True, slots=True)
class Term:
    """One office held from ``start`` to ``end`` (ISO dates; None = open)."""

    kind: str
    start: str | None = None
    end: str | None = None
    party: str | None = None
    state: str | None = None
    district: str | None = None

    @property
    def office(self) -> str:
        return OFFICES.get(self.kind, self.kind.title() if self.kind.islower() else self.kind)

    def covers(self, day: str) -> bool:
        return (self.start or "0000") <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    last: str
    first: str | None = None
    middle: str | None = None
    nickname: str | None = None
    suffix: str | None = None
    names: tuple[str, ...] = ()  # further full name forms (official_full, other_names)
    aliases: tuple[str, ...] = ()  # forms that name the person on their own ("AOC")
    terms: tuple[Term, ...] = ()
    titles: tuple[tuple[str, str | None, str | None], ...] = ()  # leadership: title, start, end
    source: str = ""
    given: frozenset[str] = field(default=frozenset(), compare=False)

    def term_at(self, day: str | None) -> tuple[Term | None, bool]:
        """The term in force on ``day`` (True), else the nearest one (False).

        Undated: the latest term. Before any term: the first; between terms or after
        the last: the latest that ended before ``day``.
        """
        if not self.terms:
            return None, False
        if day is None:
            return self.terms[-1], True
        covering = [t for t in self.terms if t.covers(day)]
        if covering:
            return covering[-1], True
        before = [t for t in self.terms if (t.start or "") <= day]
        return (before[-1] if before else self.terms[0]), False

    def to_json(self) -> dict:
        out = {
            "id": self.id,
            "name": self.name,
            "first": self.first,
            "middle": self.middle,
            "nickname": self.nickname,
            "last": self.last,
            "suffix": self.suffix,
            "names": list(self.names),
            "aliases": list(self.aliases),
            "terms": [
                {k: v for k, v in zip(Term.__slots__, _term_tuple(t), strict=True) if v}
                for t in self.terms
            ],
            "titles": [{"title": t, "start": s, "end": e} for t, s, e in self.titles],
            "source": self.source,
        }
        return {k: v for k, v in out.items() if v not in (None, [], "")}


def _term_tuple(t: Term) -> tuple:
    return (t.kind, t.start, t.end, t.party, t.state, t.district)


def make_person(**values) -> Person:
    """A Person with its given-name keys computed (one place for that rule)."""
    last = values["last"]
    fulls = [values.get("name") or "", *values.get("names", ())]
    given = given_forms(
        values.get("first"),
        values.get("nickname"),
        *(given_part(full, last) for full in fulls),
    )
    terms = tuple(sorted(values.pop("terms", ()), key=lambda t: (t.start or "", t.end or "9999")))
    return Person(**values, terms=terms, given=frozenset(given))


def _day(value: object, where: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not _DATE.match(text):
        raise ConfigError(f"{where}: date {text!r} is not YYYY-MM-DD")
    return text


def _text(value: object) -> str | None:
    return str(value).strip() or None if value not in (None, "") else None


# --- congress-legislators (legislators-*.yaml, executive.yaml) ---------------------------


def _congress_id(ids: dict) -> str | None:
    if ids.get("bioguide"):
        return str(ids["bioguide"])
    if ids.get("govtrack"):
        return f"govtrack:{ids['govtrack']}"
    return None


def _congress_person(entry: dict, where: str, source: str) -> Person:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), dict):
        raise ConfigError(f"{where} has no 'id' mapping (expected congress-legislators format)")
    pid = _congress_id(entry["id"])
    name = entry.get("name")
    if pid is None:
        raise ConfigError(f"{where} has neither a bioguide nor a govtrack id")
    if not isinstance(name, dict) or not name.get("last"):
        raise ConfigError(f"{where} ({pid}) has no name.last")
    terms: list[Term] = []
    for i, raw in enumerate(entry.get("terms") or []):
        if not isinstance(raw, dict) or not raw.get("type"):
            raise ConfigError(f"{where} ({pid}): term {i + 1} has no type")
        twhere = f"{where} ({pid}) term {i + 1}"
        start, end = _day(raw.get("start"), twhere), _day(raw.get("end"), twhere)
        district = raw.get("district")
        common = dict(
            kind=str(raw["type"]),
            state=_text(raw.get("state")),
            district=None if district in (None, 0, "") else str(district),
        )
        parts = raw.get("party_affiliations")
        if isinstance(parts, list) and parts:  # a party change within the term
            for part in parts:
                terms.append(
                    Term(
                        start=_day(part.get("start"), twhere) or start,
                        end=_day(part.get("end"), twhere) or end,
                        party=canonical_party(part.get("party")),
                        **common,
                    )
                )
        else:
            terms.append(
                Term(start=start, end=end, party=canonical_party(raw.get("party")), **common)
            )
    titles = tuple(
        (str(r["title"]), _day(r.get("start"), where), _day(r.get("end"), where))
        for r in entry.get("leadership_roles") or []
        if isinstance(r, dict) and r.get("title")
    )
    first, middle, nick = (
        _text(name.get("first")),
        _text(name.get("middle")),
        _text(name.get("nickname")),
    )
    last, suffix = str(name["last"]).strip(), _text(name.get("suffix"))
    official = _text(name.get("official_full"))
    return make_person(
        id=pid,
        name=official or _usual_name(first, middle, nick, last, suffix),
        first=first,
        middle=middle,
        nickname=nick,
        last=last,
        suffix=suffix,
        names=tuple(n for n in (official,) if n),
        terms=terms,
        titles=titles,
        source=source,
    )


def _usual_name(first, middle, nick, last, suffix) -> str:
    """'Joe Biden', 'George W. Bush', 'Donald J. Trump': how the press usually writes it."""
    if nick:
        return f"{nick} {last}"
    parts = [first or ""]
    if middle:
        parts.append(middle if middle.endswith(".") else f"{middle[0]}.")
    parts.append(last)
    name = " ".join(p for p in parts if p)
    return f"{name} {suffix}" if suffix else name


# --- openstates people -------------------------------------------------------------------


def _openstates_person(entry: dict, where: str, source: str) -> Person:
    pid, name = entry.get("id"), entry.get("name")
    if not pid or not name:
        raise ConfigError(f"{where}: an openstates person needs 'id' and 'name'")
    parties = [p for p in entry.get("party") or [] if isinstance(p, dict) and p.get("name")]

    def party_on(day: str | None) -> str | None:
        for p in parties:
            s = _day(p.get("start_date"), where) or "0000"
            e = _day(p.get("end_date"), where) or "9999"
            if day is None or s <= day <= e:
                return canonical_party(p["name"])
        return canonical_party(parties[-1]["name"]) if parties else None

    terms, titles = [], []
    for i, role in enumerate(entry.get("roles") or []):
        if not isinstance(role, dict) or not role.get("type"):
            raise ConfigError(f"{where}: role {i + 1} has no type")
        start = _day(role.get("start_date"), where)
        end = _day(role.get("end_date"), where)
        match = re.search(r"/state:([a-z]{2})", str(role.get("jurisdiction") or ""))
        terms.append(
            Term(
                kind=str(role["type"]),
                start=start,
                end=end,
                party=party_on(start),
                state=match.group(1).upper() if match else None,
                district=_text(role.get("district")),
            )
        )
        if role.get("title"):
            titles.append((str(role["title"]), start, end))
    last = _text(entry.get("family_name")) or str(name).split()[-1]
    others = tuple(
        str(o["name"])
        for o in entry.get("other_names") or []
        if isinstance(o, dict) and o.get("name") and "," not in str(o["name"])
    )
    return make_person(
        id=str(pid),
        name=str(name),
        first=_text(entry.get("given_name")),
        middle=_text(entry.get("middle_name")),
        last=last,
        names=others,
        terms=terms,
        titles=tuple(titles),
        source=source,
    )


# --- CSV of one's own ----------------------------------------------------------------------


def _csv_people(path: Path) -> Iterator[Person]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = {c.strip().lower() for c in reader.fieldnames or []}
            missing = {"id", "name"} - columns
            if missing:
                raise ConfigError(
                    f"gazetteer file {path}: CSV needs the columns id and name (missing: {', '.join(sorted(missing))})"
                )
            unknown = columns - _CSV_COLUMNS
            if unknown:
                raise ConfigError(
                    f"gazetteer file {path}: unknown CSV column {sorted(unknown)[0]!r} (known: {', '.join(sorted(_CSV_COLUMNS))})"
                )
            rows = [
                (
                    reader.line_num,
                    {k.strip().lower(): (v or "").strip() for k, v in row.items() if k},
                )
                for row in reader
            ]
    except UnicodeDecodeError:
        raise ConfigError(f"gazetteer file {path} is not UTF-8 text") from None
    except csv.Error as exc:
        raise ConfigError(f"gazetteer file {path} is not a valid CSV: {exc}") from None
    grouped: dict[str, list[tuple[int, dict]]] = {}
    for line, row in rows:
        if not row.get("id") or not row.get("name"):
            raise ConfigError(f"gazetteer file {path}: line {line}: id and name must not be empty")
        grouped.setdefault(row["id"], []).append((line, row))
    for pid, group in grouped.items():
        line, first_row = group[0]
        name = first_row["name"]
        tokens = [t for t in name.split() if t.strip(".,").lower() not in ("jr", "sr", "ii", "iii")]
        last = first_row.get("last") or tokens[-1]
        terms = []
        for line, row in group:
            if row.get("office"):
                where = f"gazetteer file {path}: line {line}"
                terms.append(
                    Term(
                        kind=row["office"],
                        start=_day(row.get("start"), where),
                        end=_day(row.get("end"), where),
                        party=canonical_party(row.get("party")),
                        state=row.get("state") or None,
                        district=row.get("district") or None,
                    )
                )
        aliases = tuple(a.strip() for a in (first_row.get("aliases") or "").split(";") if a.strip())
        yield make_person(
            id=pid,
            name=name,
            first=first_row.get("first") or (tokens[0] if len(tokens) > 1 else None),
            nickname=first_row.get("nickname") or None,
            last=last,
            aliases=aliases,
            terms=terms,
            source=str(path),
        )


# --- the shipped JSON format -----------------------------------------------------------------


def _json_people(data: dict, path: Path) -> Iterator[Person]:
    if data.get("format") != FORMAT or not isinstance(data.get("people"), list):
        raise ConfigError(f"gazetteer file {path}: not a {FORMAT} file (no 'format' and 'people')")
    for i, entry in enumerate(data["people"]):
        where = f"gazetteer file {path}: person {i + 1}"
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("last"):
            raise ConfigError(f"{where} needs 'id' and 'last'")
        try:
            terms = [
                Term(**{k: t.get(k) for k in Term.__slots__ if k in t})
                for t in entry.get("terms", [])
            ]
        except TypeError:
            raise ConfigError(f"{where}: a term needs 'kind'") from None
        yield make_person(
            id=entry["id"],
            name=entry.get("name") or entry["last"],
            first=entry.get("first"),
            middle=entry.get("middle"),
            nickname=entry.get("nickname"),
            last=entry["last"],
            suffix=entry.get("suffix"),
            names=tuple(entry.get("names", ())),
            aliases=tuple(entry.get("aliases", ())),
            terms=terms,
            titles=tuple(
                (t["title"], t.get("start"), t.get("end")) for t in entry.get("titles", [])
            ),
            source=entry.get("source", ""),
        )


# --- reading any supported file -------------------------------------------------------------


def _load_yaml(path: Path):
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=loader)  # noqa: S506 (a safe loader)
    except UnicodeDecodeError:
        raise ConfigError(f"gazetteer file {path} is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise ConfigError(f"gazetteer file {path} is not valid YAML{at}: {problem}") from None


def _yaml_people(path: Path, source: str) -> Iterator[Person]:
    data = _load_yaml(path)
    if isinstance(data, list):
        for i, entry in enumerate(data):
            yield _congress_person(entry, f"gazetteer file {path}: entry {i + 1}", source)
    elif isinstance(data, dict) and "roles" in data:
        yield _openstates_person(data, f"gazetteer file {path}", source)
    else:
        raise ConfigError(
            f"gazetteer file {path}: neither a congress-legislators list nor an openstates person"
        )


def read_people(path: Path, source: str | None = None) -> list[Person]:
    """The people of one file or folder of a supported format; ConfigError if unusable."""
    source = source or path.name
    try:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml"))
            if not files:
                raise ConfigError(f"gazetteer folder {path} holds no .yml/.yaml files")
            return [p for f in files for p in _yaml_people(f, source)]
        if not path.exists():
            raise ConfigError(f"gazetteer file {path} does not exist")
        suffix = path.suffix.lower()
        if suffix in (".yml", ".yaml"):
            return list(_yaml_people(path, source))
        if suffix == ".csv":
            return list(_csv_people(path))
        if suffix == ".json":
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ConfigError(f"gazetteer file {path} is not valid JSON: {exc}") from None
            return list(_json_people(data if isinstance(data, dict) else {}, path))
        raise ConfigError(
            f"gazetteer file {path}: unknown kind (expected .yaml/.yml, .csv, .json or a folder)"
        )
    except OSError as exc:
        raise ConfigError(f"cannot read gazetteer file {path}: {exc.strerror or exc}") from None


def merge(people: Iterable[Person]) -> list[Person]:
    """One person per id: terms and titles add up, the first source's names win."""
    merged: dict[str, Person] = {}
    for person in people:
        old = merged.get(person.id)
        if old is None:
            merged[person.id] = person
            continue
        terms = {_term_tuple(t): t for t in (*old.terms, *person.terms)}
        merged[person.id] = make_person(
            id=old.id,
            name=old.name,
            first=old.first or person.first,
            middle=old.middle or person.middle,
            nickname=old.nickname or person.nickname,
            last=old.last,
            suffix=old.suffix or person.suffix,
            names=tuple(dict.fromkeys((*old.names, *person.names))),
            aliases=tuple(dict.fromkeys((*old.aliases, *person.aliases))),
            terms=list(terms.values()),
            titles=tuple(dict.fromkeys((*old.titles, *person.titles))),
            source=old.source,
        )
    return list(merged.values())


@dataclass(frozen=True)
class Gazetteer:
    people: tuple[Person, ...]
    sources: tuple[dict, ...] = ()

    def by_id(self) -> dict[str, Person]:
        return {p.id: p for p in self.people}


@cache
def load(extra: tuple[Path, ...] = ()) -> Gazetteer:
    """The shipped gazetteer plus the user's files (cached per list of files)."""
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    people = list(_json_people(data, SHIPPED))
    for path in extra:
        people.extend(read_people(path, source=str(path)))
    sources = tuple(data.get("sources", ())) + tuple({"file": str(p)} for p in extra)
    return Gazetteer(tuple(merge(people)), sources)


def configured_files() -> tuple[Path, ...]:
    """The extra gazetteer files of the settings (NEWSARCHIVE_GAZETTEER / politics.gazetteer)."""
    from newsarchive.config import load_settings

    return load_settings().gazetteer_files


def write(path: Path, people: Iterable[Person], sources: list[dict]) -> None:
    """Write a gazetteer JSON file in the shipped format."""
    doc = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "licence": "CC0-1.0 (public domain dedication), as its sources",
        "sources": sources,
        "people": [p.to_json() for p in sorted(people, key=lambda p: p.id)],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    head = json.dumps({k: v for k, v in doc.items() if k != "people"}, ensure_ascii=False, indent=1)
    lines = [json.dumps(p, ensure_ascii=False) for p in doc["people"]]  # one person a line
    path.write_text(
        head[:-2] + ',\n "people": [\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8"
    )
