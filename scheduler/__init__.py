"""Scheduled crawls: each source at its own interval, crawl then index, never overlapping.

Above both pipeline layers: it starts crawls (``crawler``) and index runs (``indexer``),
and only the CLI (``newsarchive schedule``) imports it. ``scheduler.config`` reads the
schedule file, ``scheduler.locks`` keeps two runs of one source apart, and
``scheduler.scheduler`` decides what is due and runs it.
"""
