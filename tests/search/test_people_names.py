"""`--person NAME`: a name resolves to gazetteer ids the way the tagger reads articles,
and an ambiguous or unknown name is refused with what to type instead."""

from __future__ import annotations

import pytest

from search_cli.query.people import PersonError, candidates_for, resolve


def test_the_forms_a_reader_recognises_name_one_person() -> None:
    [warren] = resolve("Elizabeth Warren")
    assert resolve("Sen. Warren") == resolve("  elizabeth   WARREN ") == [warren]
    assert resolve(warren) == [warren]  # the gazetteer id itself
    assert resolve("Bernie Sanders") != [warren]


def test_an_ambiguous_surname_lists_the_candidates() -> None:
    people = candidates_for("Smith")
    assert len(people) > 1 and all(p.last == "Smith" for p in people)
    with pytest.raises(PersonError) as err:
        resolve("Smith")
    message = str(err.value)
    assert f"{len(people)} people match" in message and "Use a full name" in message
    for person in people[:3]:
        assert person.name in message and person.id in message
    assert "\n" not in message


def test_an_unknown_name_is_refused_with_a_suggestion() -> None:
    with pytest.raises(PersonError, match="did you mean Elizabeth Warren"):
        resolve("Elizabth Warren")
    with pytest.raises(PersonError, match="no one in the gazetteer"):
        resolve("Zzyzx Quux")
    with pytest.raises(PersonError):
        resolve("   ")
