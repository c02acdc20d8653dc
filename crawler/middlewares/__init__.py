"""Downloader middlewares for polite crawling (scope, Retry-After).

The WARC capture middleware lives with the archive (crawler.archive.middleware).
"""
