"""Scrapy settings of edunews_scraper: politeness, pipelines and feeds.

Every setting here can be overridden per run with ``-s NAME=value``.
"""

BOT_NAME = "edunews_scraper"
SPIDER_MODULES = ["edunews_scraper.spiders"]
NEWSPIDER_MODULE = "edunews_scraper.spiders"
COMMANDS_MODULE = "edunews_scraper.commands"

# Politeness: an honest User-Agent, robots.txt obeyed, AutoThrottle, retries on 5xx/timeouts.
USER_AGENT = (
    "edunews_scraper/0.1 (Vietnamese education news research crawler; Scrapy; "
    "+https://pypi.org/project/scrapy/)"
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30

DOWNLOADER_MIDDLEWARES = {
    "edunews_scraper.middlewares.WebOnlyMiddleware": 40,  # before anything else sees a request
    "edunews_scraper.middlewares.RedirectGuardMiddleware": 650,  # sees 3xx before redirecting
    # Responses go down the orders: these two see bodies once decompressed (590).
    "edunews_scraper.middlewares.PageLimitsMiddleware": 585,
    "edunews_scraper.middlewares.CharsetRepairMiddleware": 580,
}

# Bounded work per page (see limits.py): a larger body, or a gzip body that decompresses to
# more, is refused; so is one with more tags, or a tag with more distinct attributes, than
# lxml parses in about a second; an article with a longer field becomes a reject.
DOWNLOAD_MAXSIZE = 4 * 1024 * 1024  # the largest real pages seen: ~0.6 MB
DOWNLOAD_WARNSIZE = 1024 * 1024
EDUNEWS_MAX_TAGS = 100_000  # real pages: ~3,000
EDUNEWS_MAX_ATTRIBUTES = 100  # distinct attributes on one tag; real pages: ~20
# Longest field values, in characters; a dict of any of headline, lead, paragraph, caption,
# label (an author, a tag, the category, the printed time), url, article (all text).
EDUNEWS_FIELD_LIMITS: dict[str, int] = {}

# A run that failed before it started (its crawl state refused) sends no request.
SPIDER_MIDDLEWARES = {"edunews_scraper.failure.FailedRunGuard": 10}

ITEM_PIPELINES = {
    "edunews_scraper.pipelines.normalize.NormalizeTextPipeline": 100,
    "edunews_scraper.pipelines.boilerplate.BoilerplatePipeline": 200,
    "edunews_scraper.pipelines.byline.BylinePipeline": 300,
    "edunews_scraper.pipelines.authors.AuthorsPipeline": 400,
    "edunews_scraper.pipelines.dates.DatesPipeline": 500,
    "edunews_scraper.pipelines.figures.FiguresPipeline": 600,
    "edunews_scraper.pipelines.limits.FieldLimitsPipeline": 650,
    "edunews_scraper.pipelines.validate.ValidationPipeline": 700,
    "edunews_scraper.pipelines.unchanged.UnchangedArticlePipeline": 750,
    "edunews_scraper.pipelines.article.ArticlePipeline": 800,
}
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"

# Add-ons: each does nothing unless configured (see its module).
# distributed.RedisCrawl: with REDIS_URL set (setting or environment), workers share one
# run: a request queue with acknowledgements, and the crawl state, in Redis.
# monitoring.Monitoring: spidermon monitors when a spider closes (EDUNEWS_MONITOR_* settings).
ADDONS = {
    "edunews_scraper.distributed.RedisCrawl": 100,
    "edunews_scraper.monitoring.Monitoring": 200,
}
EDUNEWS_REDIS_RUN = ""  # the run id all workers of one run share ("": the run in progress)
EDUNEWS_REDIS_LEASE = 60  # a worker silent this long (s) is reaped: its requests go back
EDUNEWS_REDIS_TTL = 86400  # a run's Redis keys expire this long after its last heartbeat (s)

# Incremental crawls: what each spider exported is remembered here (see state.py), so a
# scheduled run downloads only what is new; `-a full=1` re-crawls (unchanged articles are
# still not exported twice). Local feeds are written through durability.py: a failed write
# stops the run, and an article counts as done only once its line is written.
EXTENSIONS = {
    "edunews_scraper.durability.FeedDurability": 400,
    "edunews_scraper.incremental.IncrementalState": 500,
    # What the run wrote and where, for the end-of-run summary and the reports.
    "edunews_scraper.summary.RunRecord": 510,
    "edunews_scraper.archiving.ArchiveResponses": 520,
}
FEED_STORAGES = {
    "": "edunews_scraper.durability.DurableFeedStorage",
    "file": "edunews_scraper.durability.DurableFeedStorage",
}
EDUNEWS_STATE_ENABLED = True
EDUNEWS_STATE_DIR = "data/state"
EDUNEWS_REPLAY_STATE_DIR = "data/replay-state"  # the state of `-a replay=...` crawls

# Output: one JSON Lines file of articles per run, and one of rejects beside it. A run given
# -o/-O (or a FEEDS setting) writes its articles there instead, rejects beside them; rejects
# always have their own feed (see edunews_scraper/feeds.py).
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {
    "jsonlines": "edunews_scraper.exporters.JsonLinesExporter",
    "jsonl": "edunews_scraper.exporters.JsonLinesExporter",
    "jl": "edunews_scraper.exporters.JsonLinesExporter",
    "json": "edunews_scraper.exporters.JsonExporter",
    "csv": "edunews_scraper.exporters.CsvExporter",
    "xml": "edunews_scraper.exporters.XmlExporter",
}
EDUNEWS_FEED_URI = "data/%(name)s/%(time)s.jsonl"
EDUNEWS_REJECTS_URI = ""  # "": beside the articles file (out.jsonl -> out.rejects.jsonl)

# `scrapy crawl` ends with a short summary (edunews_scraper/summary.py) instead of Scrapy's dump
# of every counter; `-s STATS_DUMP=True` brings the dump back (the monitors' JSON report holds
# the counters too).
STATS_DUMP = False

# Web archive: every response a crawl receives, with its request, in a WARC beside the feed
# (see archiving.py); "" switches it off. Off in replays unless -s EDUNEWS_ARCHIVE=... is given.
EDUNEWS_ARCHIVE = "data/%(name)s/%(time)s.warc.gz"

# Listing pages read per category when the spider argument max_pages is not given.
EDUNEWS_MAX_PAGES = 5

# Discovery beside the category pages (RSS feeds, news sitemaps; see edunews_scraper/discovery):
# a source broke when more than MAX_MISSING of the articles another source lists over the same
# time (at least MIN_ENTRIES of them, published GRACE_MINUTES or more before it was read) are
# missing from it.
EDUNEWS_DISCOVERY_MAX_MISSING = 0.5
EDUNEWS_DISCOVERY_MIN_ENTRIES = 3
EDUNEWS_DISCOVERY_GRACE_MINUTES = 30
