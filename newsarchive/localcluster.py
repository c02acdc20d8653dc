"""A local Elasticsearch cluster of several nodes on loopback, from the same launcher.

The corpus outgrows one node long before it outgrows one machine's disk; a cluster of
several nodes is where replicas, failover and rejoining happen. ``LocalCluster`` starts
N launcher processes (``newsarchive.localnode.launcher_command``), each with its own
data folder under ``home/<name>/``, HTTP port and transport port on 127.0.0.1, every
node master-eligible and a data node, so any one of three can die and the other two
keep a quorum. It is for tests, benchmarks and trying a cluster out::

    python -m newsarchive.localcluster start --home /tmp/cluster --nodes 3
    python -m newsarchive.localcluster stop --home /tmp/cluster

A real deployment runs one node per machine (``docker-compose.yml``, or Elastic's own
packages); nothing here is needed for that.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from newsarchive.errors import NewsarchiveError
from newsarchive.localnode import launcher_command


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 10) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return json.load(resp)
    except (OSError, ValueError, urllib.error.URLError):
        return None


@dataclass
class ClusterNode:
    name: str
    home: Path
    transport_port: int
    http_port: int = 0  # known once the node listens (its state file)
    pid: int | None = None
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def state_path(self) -> Path:
        return self.home / "state.json"

    def alive(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        if self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True


class LocalCluster:
    """N nodes of one cluster under ``home``; ``start`` waits until all have joined."""

    def __init__(self, home: Path, *, nodes: int = 3, heap: str = "384m") -> None:
        if nodes < 1:
            raise NewsarchiveError("a cluster needs at least one node")
        self.home = Path(home).resolve()
        self.heap = heap
        self.cluster_name = f"newsarchive-{os.getpid()}"
        self.nodes = [
            ClusterNode(f"node-{i}", self.home / f"node-{i}", _free_port()) for i in range(nodes)
        ]
        self._formed = False  # initial_master_nodes only for the very first start

    @property
    def urls(self) -> list[str]:
        return [n.url for n in self.nodes if n.alive()]

    def _launch(self, node: ClusterNode) -> None:
        node.home.mkdir(parents=True, exist_ok=True)
        node.state_path.unlink(missing_ok=True)
        seeds = ",".join(f"127.0.0.1:{n.transport_port}" for n in self.nodes)
        extra = ["--node-name", node.name, "--cluster-name", self.cluster_name]
        extra += ["--transport-port", str(node.transport_port), "--seed-hosts", seeds]
        if not self._formed:
            extra += ["--initial-masters", ",".join(n.name for n in self.nodes)]
        cmd = launcher_command(
            node.home, port=0, heap=self.heap, state_path=node.state_path, extra=tuple(extra)
        )
        with open(node.home / "node.log", "ab") as log:
            node.proc = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        node.pid = node.proc.pid

    def _wait_listening(self, node: ClusterNode, deadline: float) -> None:
        while time.monotonic() < deadline:
            if not node.alive():
                raise NewsarchiveError(
                    f"Elasticsearch {node.name} exited during start; see {node.home / 'node.log'}"
                )
            with contextlib.suppress(OSError, ValueError, KeyError):
                node.http_port = int(json.loads(node.state_path.read_text())["port"])
                return
            time.sleep(0.25)
        raise NewsarchiveError(f"Elasticsearch {node.name} did not start in time")

    def health(self, via: ClusterNode | None = None, **wait: str) -> dict | None:
        """``_cluster/health`` asked of ``via`` (default: the first live node)."""
        via = via or next((n for n in self.nodes if n.alive() and n.http_port), None)
        if via is None:
            return None
        query = "&".join(f"{k}={v}" for k, v in wait.items())
        return _get(f"{via.url}/_cluster/health?{query}", timeout=70)

    def wait_for(self, *, nodes: int, status: str = "yellow", timeout: float = 180) -> dict:
        """Wait until the cluster has ``nodes`` nodes and at least ``status``."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.health(wait_for_nodes=str(nodes), wait_for_status=status, timeout="5s")
            if last and not last.get("timed_out") and last.get("number_of_nodes") == nodes:
                return last
            time.sleep(0.5)
        raise NewsarchiveError(f"the cluster did not reach {nodes} nodes, {status}: {last}")

    def start(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        for node in self.nodes:
            self._launch(node)
        try:
            for node in self.nodes:
                self._wait_listening(node, deadline)
            self.wait_for(
                nodes=len(self.nodes), status="green", timeout=deadline - time.monotonic()
            )
        except BaseException:
            self.stop()
            raise
        self._formed = True

    def kill(self, node: ClusterNode) -> None:
        """SIGKILL: the node dies as in a power cut, nothing flushed."""
        if node.alive() and node.pid is not None:
            os.kill(node.pid, signal.SIGKILL)
        if node.proc is not None:
            node.proc.wait()

    def restart(self, node: ClusterNode, timeout: float = 180) -> None:
        """Start a stopped node again on its data folder; it rejoins the cluster."""
        self._launch(node)
        self._wait_listening(node, time.monotonic() + timeout)

    def stop(self, timeout: float = 60) -> None:
        for node in self.nodes:
            if node.alive() and node.pid is not None:
                os.kill(node.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for node in self.nodes:
            if node.proc is not None:
                try:
                    node.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    node.proc.kill()
                    node.proc.wait()

    def save(self) -> None:
        """Write ``home/cluster.json`` (nodes, pids, ports), for ``stop`` from elsewhere."""
        data = [
            {"name": n.name, "pid": n.pid, "http_port": n.http_port, "transport": n.transport_port}
            for n in self.nodes
        ]
        (self.home / "cluster.json").write_text(json.dumps(data, indent=1))

    @classmethod
    def load(cls, home: Path) -> LocalCluster:
        try:
            data = json.loads((Path(home) / "cluster.json").read_text())
        except (OSError, ValueError):
            raise NewsarchiveError(f"no local cluster was started in {home}") from None
        cluster = cls(home, nodes=len(data))
        for node, saved in zip(cluster.nodes, data, strict=True):
            node.pid, node.http_port = saved["pid"], saved["http_port"]
            node.transport_port = saved["transport"]
        return cluster

    def __enter__(self) -> LocalCluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsarchive.localcluster")
    parser.add_argument("command", choices=["start", "stop"])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--heap", default="384m")
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            cluster = LocalCluster(args.home, nodes=args.nodes, heap=args.heap)
            cluster.start()
            cluster.save()
            print(",".join(cluster.urls))
        else:
            cluster = LocalCluster.load(args.home)
            cluster.stop()
            for node in cluster.nodes:  # not our children: wait on their pids
                while node.alive():
                    time.sleep(0.2)
    except NewsarchiveError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
