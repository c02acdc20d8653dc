"""Downloader middlewares for polite crawling (scope, Retry-After) and the
shared frontier's claims.

The WARC capture middleware lives with the archive (crawler.archive.middleware).
"""
