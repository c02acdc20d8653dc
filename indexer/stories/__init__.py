"""Same-story clustering: wire copies and near-duplicates of one article, at index time.

Every article document gets:

    story_id          the story (cluster) it belongs to: the id of its earliest article
    duplicate_of      that earliest article's id, or null for the earliest itself
    story_similarity  its containment similarity to that article (null for the root)
    syndicated_from   the wire it comes from ("AP", "Reuters", ...), or null
    syndicated_by     how that is known: "dateline", "byline", "credit" (the text says
                      so) or "story" (its story holds an article of that wire outlet)
    story_keys        the few sampled shingle hashes that find its candidates (keyword)
    story_sample      every sampled shingle hash, packed: what candidates are compared
                      on (in _source only, not indexed)

newsarchive/shingles.py   body -> shingle hashes -> sampled keys; exact and estimated containment
wires.py      the wire a text names (dateline, byline, credit line)
cluster.py    the assignment per bulk chunk against Elasticsearch (StorySettings,
              Stories), called by indexer.load.Loader
"""

from indexer.stories.cluster import FIELDS, Stories, StorySettings

__all__ = ["FIELDS", "Stories", "StorySettings"]
