"""Scrapy settings for newsarchive crawls: polite by default.

`newsarchive crawl` and `scrapy crawl news` both use this module; tests and benchmarks
override single values (``-s NAME=VALUE``), never the defaults users get.
"""

from newsarchive import __version__

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# A descriptive User-Agent; set NEWSARCHIVE_USER_AGENT (or crawler.user_agent in the
# config file) to add a contact address for your own crawls.
USER_AGENT = (
    f"newsarchive/{__version__} (archival crawler for news research; "
    "+https://github.com/newsarchive/newsarchive)"
)

# --- politeness --------------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 % around DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Scrapy's downloader, with the per-host limit kept when there is no delay as well.
DOWNLOADER = "crawler.downloader.Downloader"
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_AFTER_MAX = 300  # seconds: longest Retry-After we honour (longer ones are capped)
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # per-response size cap; bigger pages are dropped
DOWNLOAD_WARNSIZE = 3 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
# HTTPS outlets must prove who they are: an archive is evidence, and an unverified
# connection could have been answered by anyone on the path. A crawl of an outlet with
# a broken certificate reports tls_certificate; -s DOWNLOAD_VERIFY_CERTIFICATES=false
# crawls it anyway, and the report says the crawl was unverified.
DOWNLOAD_VERIFY_CERTIFICATES = True
# Refuses private, loopback and link-local addresses at connect time, except where a
# crawled source's homepage is (see crawler/resolver.py).
TWISTED_DNS_RESOLVER = "crawler.resolver.GuardedResolver"
TELNETCONSOLE_ENABLED = False

# --- crawl behaviour ---------------------------------------------------------------
SECTION_MAX_PAGES = 5  # pagination pages followed per section page
SITEMAP_MAX_DEPTH = 3  # sitemap indexes followed below a registry sitemap (nested indexes)
SITEMAP_MAX_DOCUMENTS = 100  # sitemap documents fetched per source and crawl, newest first
RECHECK_DAYS = 0  # re-fetch archived articles published within N days (0: never)
PAGE_REQUISITES = False  # also archive articles' CSS, scripts and images (or per source)
REQUISITE_MAXSIZE = 5_000_000  # bytes of one page requisite at most (larger: cut, not kept)
REQUISITES_PER_SOURCE = 2000  # page requisites requested per source and crawl
# The revisit policy (crawler/spiders/revisits.py): archived articles are fetched again,
# conditionally, at these times after the capture of their current version (first seen,
# then each captured change), and at once when a feed or sitemap dates them after their
# last capture or shows a new headline for them; at most REVISIT_BUDGET per source and
# crawl, signalled first, then oldest due first. A registry entry's `revisit` overrides
# the schedule.
REVISIT_ENABLED = True  # `crawl --no-revisit` turns it off for one crawl
REVISIT_SCHEDULE = "1h,6h,1d,3d,7d,30d"
REVISIT_BUDGET = 200
CONDITIONAL_REFETCH = True  # re-fetches send the validators of the last capture
CRAWL_CLOCK = ""  # an ISO 8601 time the crawl's clock starts at (tests, benchmarks)
EXTRACT_WORKERS = 2  # extraction processes; 0 runs extraction on the reactor thread
# Learn each source's own boilerplate from its articles (blocks that recur across many
# of them: share appeals, newsletter pitches) and drop it from bodies; the state is kept
# in the archive (crawler/archive/learnt.py). False: neither learn nor drop.
LEARN_BOILERPLATE = True
# Scrapy starts CONCURRENT_ITEMS tasks per response to process its output; our callbacks
# yield one item (or a few requests), so the default 100 only costs CPU.
CONCURRENT_ITEMS = 4
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 5_000_000  # bytes of pages awaiting extraction (backpressure)

# --- several workers (crawler/frontier.py) --------------------------------------------
# REDIS_URL (or NEWSARCHIVE_REDIS_URL, or `crawl --redis URL`) switches the shared
# frontier on: crawl workers, each with its own archive home, split the articles of the
# same sources. Empty: a lone crawl, as always.
REDIS_URL = ""
WORKER_ID = ""  # names this worker's WARC files (default: host name + hash of the home)
REDIS_PREFIX = "newsarchive"  # key prefix, so several collections can share one Redis
REDIS_LEASE = 30.0  # seconds after which a silent worker's articles are taken over
REDIS_PAGE_TTL = 3600  # seconds a page found not to be an article stays claimed

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.scope.ScopeMiddleware": 50,
    # after robots.txt (100): with REDIS_URL, a redirected article's target is claimed
    "crawler.middlewares.claims.ClaimsMiddleware": 110,
    "crawler.middlewares.retry_after.RetryAfterMiddleware": 560,
    # WARC capture sees raw bodies, before HttpCompressionMiddleware (590) decodes them.
    "crawler.archive.middleware.WarcCaptureMiddleware": 950,
}
# A source's articles start as soon as its own listings have answered (not when the
# whole crawl of many sources runs idle).
SPIDER_MIDDLEWARES = {"crawler.middlewares.waves.ListingWavesMiddleware": 950}
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
# The crawl's one archive (WARC files, article records, seen-store), shared by the
# capture middleware, the pipeline and the spider.
EXTENSIONS = {"crawler.archive.extension.ArchiveExtension": 0}

LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 60.0
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
