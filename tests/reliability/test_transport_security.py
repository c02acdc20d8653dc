"""TLS to Elasticsearch verifies certificates by default (a CA bundle option exists;
turning verification off needs an explicit setting and warns), and the local node
listens on loopback only."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.config import Config
from search_cli.cli import cli
from tests.reliability.tls import TlsProxy, make_certificate

pytestmark = [pytest.mark.reliability, pytest.mark.es]

WARNING = "TLS certificate verification is OFF"


@pytest.fixture
def tls(es_url, es_client, index_prefix, tmp_path):
    from indexer.load import load_records
    from tests.synthetic import new_record

    load_records(es_client, [new_record(i, body_words=30) for i in range(5)], index_prefix)
    cert, key = make_certificate(tmp_path, "es")
    other, _ = make_certificate(tmp_path, "other")
    with TlsProxy(es_url, cert, key) as proxy:
        yield proxy, cert, other


def _search(env: dict) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["search", "", "--format", "json"], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_tls_verifies_by_default_and_takes_a_ca_bundle(tls, index_prefix, tmp_path, trial):
    trial.case = "TLS to Elasticsearch: verification, CA bundle, explicit opt-out"
    proxy, cert, other = tls
    base = {
        "NEWSARCHIVE_ES_URL": proxy.url,
        "NEWSARCHIVE_INDEX_PREFIX": index_prefix,
        "NEWSARCHIVE_HOME": str(tmp_path / "home"),
        "NEWSARCHIVE_CONFIG": "",
    }
    code, out = _search(base)
    assert code == 1 and "certificate verify failed" in out.lower(), out
    assert WARNING not in out
    trial.saw("self-signed certificate refused by default")

    code, out = _search({**base, "NEWSARCHIVE_ES_CA_CERT": str(other)})
    assert code == 1 and "certificate verify failed" in out.lower(), out
    trial.saw("certificate of another CA refused")

    code, out = _search({**base, "NEWSARCHIVE_ES_CA_CERT": str(cert)})
    assert code == 0 and '"total":5' in out.replace(" ", ""), out
    assert WARNING not in out
    trial.saw("accepted with NEWSARCHIVE_ES_CA_CERT")

    config = tmp_path / "config.toml"
    config.write_text(f'[elasticsearch]\nca_cert = "{cert}"\n')
    code, out = _search({**base, "NEWSARCHIVE_CONFIG": str(config)})
    assert code == 0, out
    trial.saw("accepted with elasticsearch.ca_cert in the config file")

    code, out = _search({**base, "NEWSARCHIVE_ES_CA_CERT": str(tmp_path / "missing.pem")})
    assert code == 1 and "missing.pem" in out, out
    trial.saw("missing CA file named")

    code, out = _search({**base, "NEWSARCHIVE_ES_VERIFY_CERTS": "false"})
    assert code == 0 and WARNING in out, out
    trial.saw("verification off only with NEWSARCHIVE_ES_VERIFY_CERTS=false, with a warning")
    trial.tries = sum(trial.outcomes.values())


def _listening(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket ``pid`` listens on, from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table, width in (("tcp", 8), ("tcp6", 32)):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] != "0A" or cols[9] not in inodes:  # 0A = LISTEN
                continue
            hex_addr, hex_port = cols[1].split(":")
            raw = bytes.fromhex(hex_addr)
            # /proc prints each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            family = socket.AF_INET if width == 8 else socket.AF_INET6
            found.append((socket.inet_ntop(family, raw), int(hex_port, 16)))
    return found


def _loopback(address: str) -> bool:
    import ipaddress

    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _host_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (``ip -4 -o addr``)."""
    try:
        out = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout
    except OSError:
        return []
    addrs = {line.split()[3].split("/")[0] for line in out.splitlines() if len(line.split()) > 3}
    return sorted(a for a in addrs if not a.startswith("127."))


def test_local_node_listens_on_loopback_only(es_settings, trial):
    import os

    from newsarchive.localnode import read_state

    if os.environ.get("NEWSARCHIVE_ES_URL"):
        pytest.skip("NEWSARCHIVE_ES_URL is set: the tests use that cluster, not a local node")
    trial.case = "local Elasticsearch listens on loopback only"
    state = read_state(Config(home=es_settings.home))
    assert state is not None
    sockets = _listening(state.pid)
    assert any(port == state.port for _, port in sockets), sockets  # HTTP
    assert len(sockets) >= 2, sockets  # HTTP and transport
    assert all(_loopback(addr) for addr, _ in sockets), sockets
    trial.saw("listening sockets all on loopback", len(sockets))
    for addr in _host_addresses():
        for _, port in sockets:
            with socket.socket() as sock:
                sock.settimeout(2)
                assert sock.connect_ex((addr, port)) != 0, f"{addr}:{port} answers"
            trial.saw("refused on a non-loopback address")
    trial.tries = sum(trial.outcomes.values())


def test_crawls_verify_outlet_certificates_and_say_when_they_did_not(tmp_path, trial):
    """An HTTPS outlet with a self-signed certificate is not archived by default (the
    report names tls_certificate and how to opt out); with verification turned off it
    is, and the report says the crawl was unverified."""
    from tests.crawl.conftest import Crawler
    from tests.site import NewsSite

    trial.case = "TLS to outlets: a self-signed certificate, verified by default"
    cert, key = make_certificate(tmp_path, "outlet")
    with NewsSite(n_articles=3, feed_size=3) as site, TlsProxy(site.url(""), cert, key) as proxy:
        (tmp_path / "sources.toml").write_text(
            'version = 1\n[[source]]\nid = "tls"\nname = "TLS"\n'
            f'homepage = "{proxy.url}/"\ndomains = ["127.0.0.1"]\n'
            f'feeds = ["{proxy.url}/feeds/rss.xml"]\n'
        )
        crawler = Crawler(tmp_path / "home", tmp_path / "sources.toml")
        crawler.home.mkdir()
        strict = crawler.run("--source", "tls", RETRY_TIMES="0")
        lax = crawler.run("--source", "tls", DOWNLOAD_VERIFY_CERTIFICATES="false")
    assert strict.returncode == 0, strict.stderr[-2000:]
    assert strict.source["errors"] == {"tls_certificate": 1}, strict.source["errors"]
    assert "DOWNLOAD_VERIFY_CERTIFICATES=false" in strict.stdout
    assert strict.report["tls_verified"] is True
    trial.saw("self-signed outlet refused by default, reported as tls_certificate")
    assert lax.returncode == 0 and lax.source["articles"]["new"] == 3, lax.source
    assert lax.report["tls_verified"] is False
    assert "certificates were not verified" in lax.stdout
    trial.saw("crawled when verification is turned off, and the report says so")
