"""A name resolver that refuses to hand the crawler private, loopback or link-local
addresses (``TWISTED_DNS_RESOLVER = "crawler.resolver.GuardedResolver"``).

Domain scope (``crawler.middlewares.scope``) decides which *names* a source may
reach; this decides which *addresses*. Every connection the downloader opens starts
with ``reactor.nameResolver.resolveHostName`` (IP literals included), and the
addresses it yields are exactly the ones connected to, so checking here is checking
at connect time: a name that resolves (or is rebound) to 169.254.169.254 or 10.0.0.1
gets no address, and the connection is never attempted.

An address that is not global is allowed only when the homepage of a source of this
crawl resolves there (the spider names them with ``trust``), so local sites and the
tests' loopback servers still work.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable

from scrapy.resolver import CachingHostnameResolver
from twisted.internet import defer
from twisted.internet.interfaces import IResolutionReceiver
from zope.interface import implementer

log = logging.getLogger(__name__)


def is_public(host: str) -> bool:
    """Whether ``host`` (an IP address as text) is a global unicast address."""
    try:
        ip = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return ip.is_global and not ip.is_multicast


@implementer(IResolutionReceiver)
class _Gate:
    """Collects the addresses of one resolution, then passes on the allowed ones."""

    def __init__(self, receiver, host: str, resolver: GuardedResolver) -> None:
        self.receiver, self.host, self.resolver = receiver, host, resolver
        self.addresses: list = []

    def resolutionBegan(self, resolution) -> None:  # noqa: N802 (Twisted's interface)
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address) -> None:  # noqa: N802
        self.addresses.append(address)

    def resolutionComplete(self) -> None:  # noqa: N802
        if all(is_public(a.host) for a in self.addresses):
            self._deliver(self.addresses)
            return
        self.resolver.trusted().addCallback(self._filter)

    def _filter(self, trusted: set[str]) -> None:
        allowed = [a for a in self.addresses if is_public(a.host) or a.host in trusted]
        refused = [a.host for a in self.addresses if a not in allowed]
        if refused:
            self.resolver.refused[self.host.lower()] = refused[0]
            log.warning(
                "refused to connect to %s: it resolves to %s, a non-public address no "
                "source of this crawl has its homepage at",
                self.host,
                ", ".join(refused),
            )
        self._deliver(allowed)

    def _deliver(self, addresses: Iterable) -> None:
        for address in addresses:
            self.receiver.addressResolved(address)
        self.receiver.resolutionComplete()


class GuardedResolver(CachingHostnameResolver):
    """Scrapy's caching resolver, with non-public addresses filtered out."""

    def __init__(self, reactor, cache_size: int) -> None:
        super().__init__(reactor, cache_size)
        self.trusted_hosts: set[str] = set()
        self.refused: dict[str, str] = {}  # host name -> the address that was refused
        self._trusted: set[str] | None = None
        self._waiting: list[defer.Deferred] = []

    @classmethod
    def from_crawler(cls, crawler, reactor):
        settings = crawler.settings
        cache = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        return cls(reactor, cache)

    def trust(self, hosts: Iterable[str]) -> None:
        """Allow the addresses these host names resolve to, public or not."""
        self.trusted_hosts |= {h.strip("[]").lower() for h in hosts if h}
        self._trusted = None

    def resolveHostName(  # noqa: N802 (Twisted's interface)
        self,
        resolutionReceiver,
        hostName,
        portNumber=0,
        addressTypes=None,
        transportSemantics="TCP",
    ):
        gate = _Gate(resolutionReceiver, hostName, self)
        return super().resolveHostName(gate, hostName, portNumber, addressTypes, transportSemantics)

    def trusted(self) -> defer.Deferred:
        """The addresses the trusted homepages resolve to (resolved once per crawl)."""
        if self._trusted is not None:
            return defer.succeed(self._trusted)
        waiter: defer.Deferred = defer.Deferred()
        self._waiting.append(waiter)
        if len(self._waiting) == 1:
            found: set[str] = set()
            lookups = [self._lookup(host, found) for host in self.trusted_hosts]
            defer.DeferredList(lookups, consumeErrors=True).addCallback(self._trusted_ready, found)
        return waiter

    def _lookup(self, host: str, found: set[str]) -> defer.Deferred:
        done: defer.Deferred = defer.Deferred()

        @implementer(IResolutionReceiver)
        class Collect:
            def resolutionBegan(self, resolution) -> None:  # noqa: N802
                pass

            def addressResolved(self, address) -> None:  # noqa: N802
                found.add(address.host)

            def resolutionComplete(self) -> None:  # noqa: N802
                done.callback(None)

        self.original_resolver.resolveHostName(Collect(), host, 0)
        return done

    def _trusted_ready(self, _results, found: set[str]) -> None:
        self._trusted = found
        waiting, self._waiting = self._waiting, []
        for waiter in waiting:
            waiter.callback(found)


def installed() -> GuardedResolver | None:
    """The reactor's resolver when it is this one (Scrapy installs it per process)."""
    from twisted.internet import reactor

    resolver = getattr(reactor, "nameResolver", None)
    return resolver if isinstance(resolver, GuardedResolver) else None


def trust_homepages(urls: Iterable[str]) -> None:
    """Let the crawl reach the hosts of these homepages whatever their address."""
    from urllib.parse import urlsplit

    resolver = installed()
    if resolver is not None:
        resolver.trust(urlsplit(u).hostname or "" for u in urls)


def refused_address(host: str | None) -> str | None:
    """The non-public address ``host`` was refused for in this process, if it was."""
    resolver = installed()
    return resolver.refused.get((host or "").lower()) if resolver else None
