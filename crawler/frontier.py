"""The shared frontier of several crawl workers: who fetches which article, in Redis.

Off unless ``REDIS_URL`` is set (``crawl --redis URL``, or ``NEWSARCHIVE_REDIS_URL``).
Then N crawl processes, on one machine or many, crawl the same sources into archives of
their own (one home per worker) and split the articles between them:

- every worker reads the listings itself (feeds and sitemaps are conditional GETs) and
  decides its candidates as a lone crawl does (scope, budget, revisits);
- before it fetches an article it *claims* it (a few per source ahead of its
  downloader, ``spiders.shared``): one Lua script per batch sets
  ``<prefix>:url:<article id>`` (the sha1 of the normalized URL, ``identity.article_id``)
  to ``lease:<worker>`` where no live worker holds it. A claim already ``done`` by
  another worker means the article is in that worker's archive: skipped, in this round
  and every later one, so an article's versions and revisits stay in one archive;
- an article recorded (or found removed, or unchanged) becomes ``done:<worker>`` (no
  expiry); a page that proved not to be an article becomes ``page:<worker>`` for
  ``REDIS_PAGE_TTL`` seconds; a failed fetch is released for anyone to try again;
- each worker keeps ``<prefix>:alive:<worker>`` alive (expiring after ``REDIS_LEASE``
  seconds, renewed three times as often). A lease whose worker is no longer alive (it
  was killed) is taken over by the next claim of another worker, which keeps every
  candidate it saw leased by others until each is done by someone. A worker killed
  between writing an article's record and settling it (one Redis round trip) leaves
  that article leased: the worker that takes it over fetches it again, so it is in both
  archives. That is the one duplicate a kill can make; nothing is ever lost.

Revisits need no claim: an archived article is only ever in its owner's archive, whose
records the revisit policy reads as today. A worker publishes its archive's articles as
``done`` by it once per Redis (``publish``: its first start with an archive crawled
alone, or after Redis lost its data), so another worker never takes one for new. The scope, robots and politeness checks of
each request are the worker's own (its downloader middlewares), as in a lone crawl.
Redis must be a single instance (or a primary): the claim script reads the heartbeat
key of the worker it takes over from, which Redis Cluster would refuse.
"""

from __future__ import annotations

import hashlib
import re
import socket
from collections.abc import Iterable
from pathlib import Path

from crawler.archive.identity import article_id
from newsarchive.errors import ConfigError

DEFAULT_PREFIX = "newsarchive"
DEFAULT_LEASE = 30.0  # seconds a worker's heartbeat lives without renewal
DEFAULT_PAGE_TTL = 3600  # seconds a page that is not an article stays claimed

# KEYS: the claim keys. ARGV: worker, prefix. Returns per key "mine", "busy" or "taken".
_CLAIM = """
local me, prefix, out = ARGV[1], ARGV[2], {}
for i, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  local kind, who
  if value then kind, who = string.match(value, '^(%a+):(.*)$') end
  if not value or who == me then
    if kind ~= 'done' then redis.call('SET', key, 'lease:' .. me) end
    out[i] = 'mine'
  elseif kind == 'lease' and redis.call('EXISTS', prefix .. ':alive:' .. who) == 0 then
    redis.call('SET', key, 'lease:' .. me)
    out[i] = 'mine'
  elseif kind == 'lease' then
    out[i] = 'busy'
  else
    out[i] = 'taken'
  end
end
return out
"""

# KEYS: claim keys. ARGV: worker. Deletes those still leased by this worker.
_RELEASE = """
local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == 'lease:' .. ARGV[1] then redis.call('DEL', key); n = n + 1 end
end
return n
"""


def worker_id(value: str | None, home: Path) -> str:
    """This worker's id: ``value`` (the WORKER_ID setting), else the host name and a
    short hash of the archive home's path, the same for every crawl of that home (its
    articles stay its own from round to round) and different for two homes on one
    machine. It names the worker's WARC files, so it keeps to letters, digits, ``.``,
    ``_`` and ``-``."""
    wanted = (value or "").strip()
    if not wanted:
        place = hashlib.sha1(str(Path(home).resolve()).encode()).hexdigest()[:6]
        host = re.sub(r"[^\w.-]", "-", socket.gethostname(), flags=re.ASCII)[:40]
        wanted = f"{host}-{place}"
    if not re.fullmatch(r"[\w.-]{1,64}", wanted, flags=re.ASCII):
        raise ConfigError(
            f"worker id {wanted!r}: use 1-64 letters, digits, '.', '_' or '-' (it names files)"
        )
    return wanted


class SharedFrontier:
    """A worker's handle on the shared claims (blocking calls, a loopback round trip or
    a LAN one each; the spider batches a wave's claims into one)."""

    def __init__(
        self,
        url: str,
        worker: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        lease: float = DEFAULT_LEASE,
        page_ttl: int = DEFAULT_PAGE_TTL,
    ) -> None:
        import redis

        if lease <= 0 or page_ttl <= 0:
            raise ConfigError("REDIS_LEASE and REDIS_PAGE_TTL must be positive")
        self.worker, self.prefix = worker, prefix
        self.lease_ms, self.page_ttl = int(lease * 1000), int(page_ttl)
        self.round_trips = 0
        try:
            self.redis = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
            self.redis.ping()
        except ValueError as exc:
            raise ConfigError(f"REDIS_URL {url!r}: {exc}") from None
        except redis.RedisError as exc:
            raise ConfigError(f"cannot reach Redis at {url}: {exc}") from None
        self._claim = self.redis.register_script(_CLAIM)
        self._release = self.redis.register_script(_RELEASE)
        self.held: set[str] = set()  # claim keys this worker leases now

    def key(self, url: str) -> str:
        return f"{self.prefix}:url:{article_id(url)}"

    def publish(self, urls: Iterable[str], batch: int = 1000) -> int | None:
        """Mark this worker's archived articles ``done`` by it, once per Redis: at its
        first start with an archive crawled alone, or after Redis lost its data. A key
        already there is left alone. Returns how many were sent (None: already done)."""
        marker = f"{self.prefix}:published:{self.worker}"
        self.round_trips += 1
        if self.redis.exists(marker):
            return None
        value, sent = f"done:{self.worker}", 0
        pipe = self.redis.pipeline(transaction=False)
        for url in urls:
            pipe.set(self.key(url), value, nx=True)
            sent += 1
            if sent % batch == 0:
                self.round_trips += 1
                pipe.execute()
        pipe.set(marker, "1")
        self.round_trips += 1
        pipe.execute()
        return sent

    def heartbeat(self) -> None:
        """Say this worker is alive for another lease."""
        self.round_trips += 1
        self.redis.set(f"{self.prefix}:alive:{self.worker}", "1", px=self.lease_ms)

    def claim(self, urls: Iterable[str]) -> dict[str, str]:
        """Claim ``urls`` in one round trip: url -> "mine" (fetch it), "busy" (another
        live worker holds it: ask again later) or "taken" (done by another worker)."""
        urls = list(dict.fromkeys(urls))
        if not urls:
            return {}
        keys = [self.key(u) for u in urls]
        self.round_trips += 1
        answers = self._claim(keys=keys, args=[self.worker, self.prefix])
        result = {}
        for url, key, answer in zip(urls, keys, answers, strict=True):
            result[url] = answer.decode() if isinstance(answer, bytes) else str(answer)
            if result[url] == "mine":
                self.held.add(key)
        return result

    def settle(self, urls: Iterable[str], outcome: str) -> None:
        """A claimed page is handled: "done" (in this worker's archive for good), "page"
        (not an article: held for ``page_ttl``) or "failed" (released)."""
        keys = list(dict.fromkeys(self.key(u) for u in urls))
        self.held.difference_update(keys)
        self.round_trips += 1
        if outcome == "failed":
            self._release(keys=keys, args=[self.worker])
            return
        value = f"{outcome}:{self.worker}"
        with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.set(key, value, ex=self.page_ttl if outcome == "page" else None)
            pipe.execute()

    def release_held(self) -> int:
        """Release every lease this worker still holds; how many there were."""
        held, self.held = sorted(self.held), set()
        if held:
            self.round_trips += 1
            self._release(keys=held, args=[self.worker])
        return len(held)

    def close(self) -> None:
        """Release what this worker still leases and stop its heartbeat, so the others
        take over at once instead of after a lease."""
        try:
            self.release_held()
            self.redis.delete(f"{self.prefix}:alive:{self.worker}")
        finally:
            self.redis.close()
