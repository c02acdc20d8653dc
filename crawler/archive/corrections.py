"""Correction and update notices in an article's text: the outlet saying it changed it.

"Correction: An earlier version of this article misstated...", "This story has been
updated with...", "Editor's note: ...". Each version record lists the notices its text
carries (``corrections``), so a reader sees not only that an article changed but also
whether the outlet owned up to it. The phrases are the ones newsrooms use in general
(English, German, French, Spanish, Portuguese, Italian, Dutch), never one outlet's
wording; a notice is looked for at the start of a paragraph ("Correction:") or as the
fixed sentences ("An earlier version of this article...") anywhere in one.
"""

from __future__ import annotations

import re

from crawler.extract.dates import MONTH_NAME
from crawler.schema.record import Correction

MAX_NOTICE_CHARS = 500
MAX_NOTICES = 10

# A label that opens a paragraph: "Correction:", "CORRECTION (May 4):", "Update —".
_LABEL_END = (
    r"\s*(?:\([^)]{0,60}\)|\[[^\]]{0,60}\]|\d{1,2}[./]\d{1,2}[./]\d{2,4})?(?:\s*:|\s*[–—]|\s+-)"
)
_LABELS = {
    "correction": (
        r"corrections?|clarifications?|correctie|korrektur|berichtigung|richtigstellung|"
        r"rectificatif|rectification|erratum|errata|fe de errores|correcci[oó]n|"
        r"aclaraci[oó]n|corre[cç][aã]o|correzione|rettifica"
    ),
    "editors_note": (
        r"editor['’`]?s[’']? notes?|note from the editors?|nota del editor|"
        r"nota de la redacci[oó]n|nota do editor|nota da reda[cç][aã]o|nota della redazione|"
        r"note de la r[ée]daction|anmerkung der redaktion|hinweis der redaktion|"
        r"noot van de redactie"
    ),
    "update": (
        r"updates?|updated|aktualisierung|aktualisiert|mise [àa] jour|actualizaci[oó]n|"
        r"actualizado|atualiza[cç][aã]o|atualizado|aggiornamento|aggiornato"
    ),
}
_LABEL_RE = {
    kind: re.compile(rf"^\s*\*?\s*(?:{words}){_LABEL_END}", re.IGNORECASE)
    for kind, words in _LABELS.items()
}

# Whole sentences that say the text changed, wherever they stand in a paragraph.
_THING = r"(?:article|story|post|report|piece|item|column|headline|video|episode)"
_THIS = rf"(?:this|the|our)\s+{_THING}"
_SENTENCES = {
    "correction": (
        rf"\b(?:an?|the)\s+(?:earlier|previous|prior|original)\s+version\s+of\s+{_THIS}",
        rf"\b{_THIS}\s+(?:has\s+been|was|had\s+been)\s+(?:corrected|amended)\b",
        r"\bwe\s+(?:have\s+)?(?:corrected|amended)\s+(?:this|the)\b",
        r"\b(?:in\s+)?(?:einer|der)\s+(?:früheren|vorherigen|ursprünglichen)\s+(?:version|fassung)\s+"
        r"(?:dieses|des)\s+(?:artikels|textes|beitrags)",
        r"\bune\s+(?:version\s+)?(?:pr[ée]c[ée]dente|ant[ée]rieure)\s+(?:version\s+)?de\s+cet\s+article",
        r"\buna\s+versi[oó]n\s+anterior\s+de\s+(?:este|esta)\s+(?:art[ií]culo|nota|informaci[oó]n)",
        r"\buma\s+vers[aã]o\s+anterior\s+(?:deste|desta)\s+(?:texto|reportagem|mat[ée]ria|artigo|not[ií]cia)",
        r"\buna\s+versione\s+precedente\s+di\s+questo\s+articolo",
        r"\b(?:in\s+)?een\s+eerdere\s+versie\s+van\s+dit\s+(?:artikel|bericht|stuk)",
    ),
    "update": (
        rf"\b{_THIS}\s+(?:has\s+been|was|is\s+being|will\s+be|had\s+been)\s+updated\b",
        r"\bdieser\s+(?:artikel|beitrag|text)\s+wurde\s+aktualisiert",
        r"\bcet\s+article\s+a\s+[ée]t[ée]\s+mis\s+[àa]\s+jour",
        r"\beste\s+art[ií]culo\s+(?:ha\s+sido|fue)\s+actualizado",
        r"\beste\s+(?:texto|artigo)\s+foi\s+atualizado",
        r"\bquesto\s+articolo\s+[èe]\s+stato\s+aggiornato",
        r"\bdit\s+(?:artikel|bericht)\s+is\s+(?:bijgewerkt|aangepast)",
    ),
}
_SENTENCE_RE = {
    kind: re.compile("|".join(patterns), re.IGNORECASE) for kind, patterns in _SENTENCES.items()
}
# A timestamp is not a notice: "Updated: 4:15 p.m. ET", "Update: May 4, 2024".
_STAMP_ONLY = re.compile(
    r"^[\W\d]*(?:(?:a\.?m|p\.?m|et|edt|est|utc|gmt|cet|cest|bst|pt|pdt|pst|ct|cdt|cst)\b[\W\d]*|"
    rf"{MONTH_NAME}\.?[\W\d]*)*$",
    re.IGNORECASE,
)


def find_corrections(*texts: str | None) -> list[Correction]:
    """The correction, update and editor's notices in ``texts`` (description, body),
    in reading order: ``[{"kind": "correction"|"update"|"editors_note", "text": ...}]``.
    The text is the notice's paragraph from where the notice starts."""
    found: list[Correction] = []
    seen: set[str] = set()
    for text in texts:
        paras = [" ".join(line.split()) for line in (text or "").split("\n") if line.strip()]
        for n, paragraph in enumerate(paras):
            notice = _notice(paragraph)
            if notice is None:
                continue
            kind, body = notice
            if _label_alone(body) and n + 1 < len(paras):
                body += " " + paras[n + 1]  # "Correction: May 4, 2024" then the text
            body = body[:MAX_NOTICE_CHARS]
            if body.lower() in seen:
                continue
            seen.add(body.lower())
            found.append({"kind": kind, "text": body})
            if len(found) >= MAX_NOTICES:
                return found
    return found


def _notice(paragraph: str) -> tuple[str, str] | None:
    if not paragraph:
        return None
    for kind, pattern in _LABEL_RE.items():
        match = pattern.match(paragraph)
        if match:
            rest = paragraph[match.end() :]
            if kind == "update" and _STAMP_ONLY.match(rest):
                continue  # "Updated: 4:15 p.m." is a timestamp, not a notice
            # "Update: an earlier version of this story..." is a correction.
            if kind == "update" and _SENTENCE_RE["correction"].search(rest):
                kind = "correction"
            return kind, paragraph
    for kind in ("correction", "update"):
        match = _SENTENCE_RE[kind].search(paragraph)
        if match:
            return kind, paragraph[_sentence_start(paragraph, match.start()) :]
    return None


def _label_alone(paragraph: str) -> bool:
    """A label with nothing after it but a date: its text is the next paragraph."""
    for pattern in _LABEL_RE.values():
        match = pattern.match(paragraph)
        if match:
            return bool(_STAMP_ONLY.match(paragraph[match.end() :]))
    return False


def _sentence_start(paragraph: str, at: int) -> int:
    """Where the sentence holding position ``at`` begins."""
    cut = max(paragraph.rfind(mark, 0, at) for mark in (". ", "! ", "? "))
    return 0 if cut < 0 else cut + 2
