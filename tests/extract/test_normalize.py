"""Unit tests for the normalization helpers: authors, dates, titles, time limit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crawler.extract import dates
from crawler.extract.authors import clean_authors, is_site_name, split_names
from crawler.extract.limits import time_limit
from crawler.extract.title import choose_title, strip_site

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("By Jane Doe and John Roe, Staff Writers", ["Jane Doe", "John Roe"]),
        ("Doe, Jane", ["Jane Doe"]),
        ("BY JANE DOE", ["JANE DOE"]),
        ("Jane Doe | Reuters", ["Jane Doe", "Reuters"]),
        ("Written by: Ana Lima & Tom Reyes", ["Ana Lima", "Tom Reyes"]),
        ("Jane Doe, Senior Political Correspondent", ["Jane Doe"]),
        ("https://www.facebook.com/janedoe", []),
        ("@janedoe", []),
        ("Staff", ["Staff"]),  # the whole byline: the paper's own desk
        ("jane@example.com", []),
        ("Associated Press", ["Associated Press"]),
        # markup that runs words together, and the date that follows a byline
        (
            "By ANA LIMA and TOM REYESAssociated Press",
            ["ANA LIMA", "TOM REYES", "Associated Press"],
        ),
        ("by Ana Lima | November 18, 2019 12:26 PM Print", ["Ana Lima"]),
        (
            "By Ana Lima and Tom Reyes Monday, November 18, 2019, 04:05 pm",
            ["Ana Lima", "Tom Reyes"],
        ),
        ("Ana LimaMonday", ["Ana Lima"]),
        ("Ana Lima 27/09/2018 Comments! Education, Music", ["Ana Lima"]),
        ("Theresa May and Tom Reyes", ["Theresa May", "Tom Reyes"]),
        # roles, credentials, desk words and labels are not names
        ("ANA LIMA, AP Auto Writer", ["ANA LIMA"]),
        ("Ana Lima, MS, RDN", ["Ana Lima"]),
        ("Ana Lima News", ["Ana Lima"]),
        ("Staff Reports", ["Staff Reports"]),  # the whole byline: the paper's desk
        ("2 min read", []),
        ("1:16pm Follow", []),
        ("Texto: Ana Lima", ["Ana Lima"]),
        ("AFP, MANILA", ["AFP"]),
        ("Ana Lima. Harbour Weekly", ["Ana Lima", "Harbour Weekly"]),
        # issue 20: credits, desks, datelines and publications around a name
        ("Image: Coastline Press/Marta Vidal", []),
        ("(Photo: Getty Images)", []),
        ("RRN Staff", ["RRN Staff"]),
        ("Jane Doe, Staff Writer", ["Jane Doe"]),
        ("Ana Lima, CBS Editor-at-large", ["Ana Lima", "CBS"]),
        ("Posted on September 21, 2020 by Ana Lima", ["Ana Lima"]),
        ("by Ana Lima, MS, RD on November 14, 2019", ["Ana Lima"]),
        ("Ana Lima And Tom Reyes For The Harbour Weekly", ["Ana Lima", "Tom Reyes"]),
        ("Ana Lima and Tom Reyes - Safe Browsing team", ["Ana Lima", "Tom Reyes"]),
        ("Reuters, Washington, Nov 20 2019, 11:06am", ["Reuters"]),
        ("Tom Reyes Associated Press Published", ["Tom Reyes", "Associated Press"]),
        ("ANA LIMA and TOM REYES Associated Press", ["ANA LIMA", "TOM REYES", "Associated Press"]),
        ("Ana Lima / Harbour Weekly Staff Writers", ["Ana Lima", "Harbour Weekly"]),
        ("By Ana Lima 8 January 2020, 3:51 pm", ["Ana Lima"]),
        ("By ANA LIMA NOVEMBER 19, 2019 18:23", ["ANA LIMA"]),  # a month in capitals
        ("/authors/ana-lima", []),
        ("Publié par Ana Lima", ["Ana Lima"]),
        ("No Author", []),
        ("Ana S.", ["Ana S."]),
        ("Ana Lima, Tom Reyes, 7 News Bayside", ["Ana Lima", "Tom Reyes", "7 News Bayside"]),
        # a desk word run into a person's name goes; an organisation's phrase keeps it,
        # and a bare "Staff" is the whole byline or half of an organisation one, never a
        # person's companion
        ("Staff and news service reports", ["Staff", "news service reports"]),
        ("From staff and wire reports", ["Staff", "wire reports"]),
        ("Jane Doe and Staff", ["Jane Doe"]),
        ("By Staff", ["Staff"]),
        ("NEWSROOM", ["NEWSROOM"]),
        ("Admin", []),
        ("jdadmin", []),  # the site's account, not a writer
        ("Webmaster", []),
        # link labels, a date's weekday and a sentence after "By" are no names
        ("View all posts by Ana Lima", ["Ana Lima"]),
        ("SHOW ALL ARTICLES OF", []),
        ("Sa 13 Jul 2019", []),
        ("Wednesday, 08 Apr 2020 11:39 PM MYT", []),  # a byline that is only its date
        ("By Ana Lima, Wednesday, May 4", ["Ana Lima"]),
        # the date first, the name after "by"; the story's section after the name
        ("January 17, 2017 at 6:08 PM ET by Ana Lima", ["Ana Lima"]),
        ("Ana Lima in Politics", ["Ana Lima"]),
        ("By Meg Wagner NEW YORK DAILY NEWS", ["Meg Wagner", "NEW YORK DAILY NEWS"]),
        ("by oz on December 4, 2006", ["oz"]),
        ("your works are released under", []),
        ("Will Reyes", ["Will Reyes"]),
        ("Harbour Weekly Editorial Staff", ["Harbour Weekly Editorial Staff"]),
        # a beat and its reporter alone are the paper's desk; after a name, her title
        ("Court Reporter", ["Court Reporter"]),
        ("By Antrim Court Reporter", ["Antrim Court Reporter"]),
        ("Ana Lima, Court Reporter", ["Ana Lima"]),
        ("Ana Lima Political Reporter", ["Ana Lima"]),
        ("BWN Correspondent", ["BWN Correspondent"]),  # a channel's desk, like "RRN Staff"
        ("Tom Reyes News reporter", ["Tom Reyes"]),
        ("Bayside News Digital", ["Bayside News Digital"]),
    ],
)
def test_split_names(raw, names):
    assert split_names(raw) == names


def test_a_byline_of_share_separators_before_its_date_is_read_in_linear_time():
    # " |" forty times before the date: the old lead pattern tried 2^40 ways to match
    # the run (a page that sent it stalled its worker); one way per character now.
    assert split_names("By Ana Lima" + " |" * 40 + " 4 May 2020") == ["Ana Lima"]


def test_clean_authors_dedupes_across_sources():
    assert clean_authors(["Jane Doe", "By jane doe", "John Roe"]) == ["Jane Doe", "John Roe"]


def test_site_name_detection():
    assert is_site_name("The Riverside Ledger", ["Riverside Ledger"], "ledger.example")
    assert is_site_name("ledger", [], "www.ledger.example")
    assert is_site_name("Ledger.example", [], "www.ledger.example")
    assert is_site_name("Advance Media for ledger.example", [], "ledger.example")
    assert not is_site_name("Reuters", ["Daily Planet"], "planet.example")


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2024-03-07T10:15:00Z", "2024-03-07T10:15:00+00:00"),
        ("2024-03-07T10:15:00.123456789+02:00", "2024-03-07T10:15:00+02:00"),
        ("2024-03-07 10:15:00", "2024-03-07T10:15:00"),
        ("2024-03-07", "2024-03-07"),
        ("Thu, 07 Mar 2024 15:00:00 GMT", "2024-03-07T15:00:00+00:00"),
        ("March 7, 2024 10:00 AM EST", "2024-03-07T10:00:00-05:00"),
        ("March 7, 2024", "2024-03-07"),
        ("1709806500", "2024-03-07T10:15:00+00:00"),
    ],
)
def test_parse_date(raw, iso):
    when = dates.parse_date(raw)
    assert when is not None and when.iso() == iso


@pytest.mark.parametrize("raw", ["", "yesterday", "March 2024", "2024", "0000-00-00", None, True])
def test_parse_date_rejects_incomplete_or_invalid(raw):
    assert dates.parse_date(raw) is None


@pytest.mark.parametrize(
    ("url", "iso"),
    [
        ("https://x.example/2024/03/07/story/", "2024-03-07"),
        ("https://x.example/news/story-20240307.html", "2024-03-07"),
        ("https://x.example/2024/03/story/", None),
        ("https://x.example/story-123456789/", None),
    ],
)
def test_date_from_url(url, iso):
    when = dates.date_from_url(url)
    assert (when.iso() if when else None) == iso


def test_page_zone_applied_only_when_unambiguous():
    naive = dates.parse_date("2024-03-07T10:00:00")
    same_moment = dates.parse_date("2024-03-07T10:00:00+01:00")
    other_zone = dates.parse_date("2024-03-08T09:00:00-05:00")
    utc = dates.parse_date("2024-03-08T09:00:00+00:00")
    assert dates.with_page_zone(naive, [same_moment, other_zone]).iso().endswith("+01:00")
    assert dates.with_page_zone(naive, [other_zone]).iso().endswith("-05:00")
    assert dates.with_page_zone(naive, [utc]).iso() == "2024-03-07T10:00:00"
    assert dates.with_page_zone(naive, [same_moment, other_zone, utc]).iso().endswith("+01:00")


def test_strip_site_suffix_and_prefix():
    sites = ["The Riverside Ledger"]
    assert strip_site("Budget passes | The Riverside Ledger", sites, "ledger.example") == (
        "Budget passes"
    )
    assert strip_site("Riverside Ledger - Budget passes", sites, "ledger.example") == (
        "Budget passes"
    )
    assert strip_site("Budget passes | Politics | Ledger", [], "ledger.example") == (
        "Budget passes | Politics"
    )
    # A dash inside the headline is kept when the tail is not the site.
    assert strip_site("Rates rise - and more to come", sites, "ledger.example") == (
        "Rates rise - and more to come"
    )


def test_strip_site_given_as_domain_and_byline_after_it():
    assert strip_site("Budget passes | Ledger.example", [], "www.ledger.example") == (
        "Budget passes"
    )
    sites = ["The Riverside Ledger"]
    assert strip_site("Budget passes * The Riverside Ledger * by Ann Lee", sites, "x.example") == (
        "Budget passes"
    )
    # "by ..." that does not follow the site name is part of the headline.
    assert strip_site("Why I voted - by the numbers", sites, "x.example") == (
        "Why I voted - by the numbers"
    )


def test_choose_title_prefers_confirmed_h1():
    candidates = [("opengraph", "Budget passes after night | Ledger")]
    assert choose_title(candidates, ["Ledger", "Budget passes after night"], ["Ledger"], "") == (
        "Budget passes after night",
        "heuristic",
    )
    # An unconfirmed h1 (a logo) loses to the metadata title.
    assert choose_title(candidates, ["Ledger"], ["Ledger"], "") == (
        "Budget passes after night",
        "opengraph",
    )


def test_time_limit_interrupts_a_runaway_step():
    # In a fresh interpreter: here pytest-timeout owns SIGALRM, and time_limit rightly
    # leaves an alarm it does not own alone.
    code = textwrap.dedent(
        """
        import time
        from crawler.extract.limits import ExtractionTimeout, time_limit
        try:
            with time_limit(0.2):
                while True:
                    time.sleep(0.01)
        except ExtractionTimeout:
            print("interrupted")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "interrupted", done.stderr


def test_extract_reports_a_timeout_as_an_error_record():
    code = textwrap.dedent(
        """
        import crawler.extract.body as body
        from crawler.extract import extract
        def stuck(*args, **kwargs):
            while True:
                pass
        body.extract_body = stuck
        import crawler.extract as ex
        ex.extract_body = stuck
        rec = extract(b"<html><body><p>x</p></body></html>", "https://x.example/", timeout=0.3)
        print(rec["extractor"]["error"], repr(rec["body"]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "timeout after 0.3 s ''", done.stderr


def test_time_limit_off_is_a_no_op():
    with time_limit(None):
        pass


def test_byline_of_the_article_wins_over_teasers_and_site_name_goes():
    from crawler.extract import extract

    page = b"""<html><head><title>Port reopens</title>
    <meta name="author" content="Ana Lima, The Harbour Ledger">
    <meta property="og:site_name" content="The Harbour Ledger"></head><body><article>
    <h1>Port reopens</h1><p class="byline">By Ana Lima | May 5, 2024</p>
    <p>The port reopened on Monday after repairs to the quay walls were finished early.</p>
    </article><aside><div class="byline">By Tom Reyes</div><a href="/x">Ferry fares rise</a></aside>
    </body></html>"""
    record = extract(page, "https://harbourledger.example/port-reopens")
    assert record["authors"] == ["Ana Lima"]
    # The byline elements alone, without the meta tag: the "By" line of the article wins.
    bare = page.replace(b'<meta name="author" content="Ana Lima, The Harbour Ledger">', b"")
    assert extract(bare, "https://harbourledger.example/port-reopens")["authors"] == ["Ana Lima"]


def test_a_timeout_is_not_swallowed_by_a_broad_except_it_fires_in():
    # The alarm may fire inside a library's ``except Exception`` fallback; the bound must
    # hold there too. In a fresh interpreter, as above.
    code = textwrap.dedent(
        """
        import time
        from crawler.extract.limits import ExtractionTimeout, time_limit
        swallowed = False
        try:
            with time_limit(0.2):
                try:
                    end = time.monotonic() + 10
                    while time.monotonic() < end:
                        pass
                except Exception:
                    swallowed = True
        except ExtractionTimeout:
            print("interrupted", swallowed)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "interrupted False", done.stderr


def test_visible_text_leaves_out_what_the_reader_never_sees():
    from lxml import html as lxml_html

    from crawler.extract.fields import _visible_text

    page = lxml_html.document_fromstring(
        "<html><head><title>T</title></head><body><p>Ana <b>Lima</b></p>"
        '<script type="application/ld+json">{"author": "Tom Reyes"}</script> wrote'
        "<noscript><p>Enable scripts</p><script>Zed Quill</script></noscript>"
        "<template><p>Hidden Name</p></template><style>p{}</style><p>Lima again</p>"
        "</body></html>"
    )
    assert _visible_text(page) == "analimawrotelimaagain"
