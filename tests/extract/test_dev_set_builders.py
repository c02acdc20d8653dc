"""The postlight-fixtures builder reads a peer's test file as data: its literals, never
its code. A test file in the shape of that suite, written here, checks the reading."""

from __future__ import annotations

import sys
from pathlib import Path

BUILDERS = Path(__file__).resolve().parents[2] / "benchmarks" / "dev-pages"
sys.path.insert(0, str(BUILDERS))

from build_postlight_fixtures import as_served, cases  # noqa: E402

TEST_FILE = r"""
describe('HarbourExtractor', () => {
  describe('initial test case', () => {
    let result;
    let url;
    beforeAll(() => {
      url =
        'https://harbour.example/2016/10/' +
        'dock-strike-ends';
      const html = fs.readFileSync('./fixtures/harbour.example.html');
      result = Mercury.parse(url, { html, fallback: false });
    });
    it('returns the title', async () => {
      // assert.equal(title, 'a commented-out value');
      assert.equal(title, 'Dock strike ends after nine days \u2014 and a vote');
    });
    it('returns the author', async () => {
      assert.equal(author, "Ana Lima and Tom O'Neil");
    });
    it('returns the date_published', async () => {
      assert.equal(date_published, '2016-10-04T18:05:00.000Z');
    });
  });
  it('works with a feature story', async () => {
    const html = fs.readFileSync('./fixtures/harbour.example--feature.html');
    const uri = 'https://harbour.example/features/cranes';
    const { title } = await Mercury.parse(uri, { html });
    assert.equal(
      title,
      `Cranes`
    );
    assert.equal(new_date_published, '2016-12-22');
  });
});
"""


def test_each_fixture_gets_its_url_and_the_values_its_test_expects():
    first, feature = cases(TEST_FILE)
    assert first == {
        "fixture": "fixtures/harbour.example.html",
        "url": "https://harbour.example/2016/10/dock-strike-ends",
        "title": "Dock strike ends after nine days — and a vote",
        "author": "Ana Lima and Tom O'Neil",
        "published": "2016-10-04T18:05:00.000Z",
    }
    # The URL assigned after the fixture is read, a literal split over lines, a day.
    assert feature == {
        "fixture": "fixtures/harbour.example--feature.html",
        "url": "https://harbour.example/features/cranes",
        "title": "Cranes",
        "published": "2016-12-22",
    }


def test_meta_tags_get_their_content_attribute_back():
    saved = b'<meta value="2016-12-23T00:47:31Z" name="article:published_time">'
    assert (
        as_served(saved) == b'<meta content="2016-12-23T00:47:31Z" name="article:published_time">'
    )
    kept = b'<meta content="x" name="a" value="y"><input value="z">'
    assert as_served(kept) == kept
