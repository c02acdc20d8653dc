"""The indexer: article records (JSONL) -> Elasticsearch, idempotently.

Names (prefix P = Config.index_prefix, default ``newsarchive``; see indexer.layout):

    P-articles          read alias: one document per article, its current version
                        (search, export, Kibana use this)
    P-articles-write    write alias (is_write_index) - only the indexer writes
    P-versions          read alias: one document per article version, _id "<id>-v<n>"
    P-versions-write    write alias of the versions
    P-articles-000001   concrete indices (generations; --rebuild makes the next one
    P-versions-000001   and swaps the aliases atomically)
    templates           index templates P-articles / P-versions (patterns P-<kind>-0*),
                        component templates P-settings, P-articles-mappings,
                        P-versions-mappings

The mapping is data: indexer/mappings/{articles,versions,settings}.json (dynamic:
strict). Article document (_id = record id = crawler.archive.identity.article_id):

    id, url, canonical_url, source_id (outlet id), outlet (name), domain   keyword
    source_tags            flattened: filter with {"term": {"source_tags.lean": "left"}}
    title, description     text (english) + .exact (text, standard) for quoted phrases
    body                   text (english, offsets) + .exact (standard, offsets)
    authors                keyword + .text (text, standard)
    published, modified    date (ignore_malformed: a bad page date never drops the article)
    first_seen, last_seen, crawled (capture time of the current version)   date
    section, tags, language, content_hash, changed_fields, removed_reason  keyword
    links                  keyword (indexed, no doc values); image: keyword, not indexed
    word_count, version, version_count   integer;   http_status   short
    paywalled, removed     boolean;   removed_at   date
    extractor.name, extractor.version   keyword
    provenance, capture    objects kept in _source only (not indexed); capture is the
                           WARC pointer {warc_file, offset, length, digest, record_id,
                           revisit[, refers_to]}
    story_id, duplicate_of, syndicated_from, syndicated_by, story_keys   keyword;
    story_similarity       float; story_sample   in _source only: same-story
                           clustering (indexer/stories/)

Version document (_id "<article id>-v<version>"):

    article_id, event (new|changed), url, canonical_url, source_id, outlet, domain,
    authors, section, language, content_hash, changed_fields   keyword
    version, word_count   integer;   edited (version > 1)   boolean
    source_tags   flattened;   title   text english + .exact;   description   text english
    published, modified, first_seen, crawled   date
    previous.{title, description, body}   text english: the values before this version
    previous.authors   keyword;   previous.{published, modified}   date
    extractor.{name, version}   keyword;   capture   _source only
    ("which articles were edited after publication": term edited=true on P-versions)

Library API:

    indexer.setup.ensure_indices(client, prefix="newsarchive", *, shards=None,
        replicas=None) -> Layout        templates + first indices + aliases (idempotent,
                                        upgrades the mapping additively)
    indexer.load.load_records(client, records, prefix="newsarchive", *, refresh=True,
        dead_letter_dir=None, stories=None) -> Summary   records: iterable of
                                        article-record dicts; stories: StorySettings
                                        (default: clustering on, default thresholds)
    indexer.layout.Layout(prefix)       .articles, .articles_write, .versions,
                                        .versions_write (the names above)

Records in the archive format for tests and benchmarks: ``tests.synthetic``.
"""

from __future__ import annotations
