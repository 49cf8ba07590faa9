"""A real local Neo4j 5.26 without Docker: Maven fetches the jars, Java 17 runs ``Launcher.java``.

State lives under ``$TUPU_HOME/neo4j`` (default ``./.tupu/neo4j``): ``cp.txt`` (the classpath
Maven resolved) and ``classes/`` (the compiled launcher) are shared; each instance (``main`` for
users, a throw-away one per test session) has its own folder ``instances/NAME`` with ``data/``,
``neo4j.pid``, ``neo4j.port`` and ``neo4j.log``.

>>> LocalNeo4j(Path("/tmp/x")).uri(7687)
'bolt://127.0.0.1:7687'
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from graph.errors import Unavailable

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
LAUNCHER = HERE / "Launcher.java"

# What the Neo4j 5 distribution passes to the JVM (its launcher and the default neo4j.conf),
# less -XX:+AlwaysPreTouch (it would touch the whole heap at every start of a test database),
# and no safepoint once a second for the JVM's clean-up: with the cores busy (the API on the same
# machine under load) its threads waited for the CPU at each, and every query with them — a one-row
# query took p90 0.3–3.9 s during the load test, 3.5 ms without (docs/benchmarks.md).
JVM_FLAGS = [
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "--enable-native-access=ALL-UNNAMED",
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:GuaranteedSafepointInterval=0",
    "-Djdk.nio.maxCachedBufferSize=1024",
]


# The offline importer: list elements are joined with the unit separator (a list holding it is
# written through Cypher instead: ingest.import_files), and its off-heap memory is capped (its
# default, 90% of the machine, is not polite on a shared one).
ARRAY_DELIMITER = "\x1f"
ARRAY_DELIMITER_ARG = "U+001F"
IMPORT_OFF_HEAP = "2G"


class Neo4jLaunchError(Unavailable, RuntimeError):
    pass


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child still answers kill(0): look at its state
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        return state != "Z"
    except OSError:
        return True


@dataclass
class LocalNeo4j:
    home: Path  # $TUPU_HOME; state goes to home/neo4j
    instance: str = "main"

    @property
    def build_dir(self) -> Path:
        return self.home / "neo4j"

    @property
    def dir(self) -> Path:
        return self.build_dir / "instances" / self.instance

    @staticmethod
    def uri(port: int) -> str:
        return f"bolt://127.0.0.1:{port}"

    # --- build -----------------------------------------------------------------------------
    def _stamp(self) -> str:
        return hashlib.sha256(POM.read_bytes() + LAUNCHER.read_bytes()).hexdigest()[:16]

    def prepare(self) -> list[str]:
        """Fetch the jars (once) and compile the launcher; return the JVM classpath entries."""
        for tool in ("java", "javac", "mvn"):
            if shutil.which(tool) is None:
                raise Neo4jLaunchError(f"找不到 {tool}: Java 17 和 Maven 是本地 Neo4j 的前提 ({tool} not on PATH)")
        self.build_dir.mkdir(parents=True, exist_ok=True)
        b = self.build_dir
        cp_file, classes, stamp = b / "cp.txt", b / "classes", b / "stamp"
        if not (cp_file.exists() and stamp.exists() and stamp.read_text() == self._stamp()):
            r = subprocess.run(
                ["mvn", "-q", "-B", "-f", str(POM), "dependency:build-classpath",
                 f"-Dmdep.outputFile={cp_file.resolve()}"],
                capture_output=True, text=True,
            )
            if r.returncode != 0 or not cp_file.exists():
                raise Neo4jLaunchError(f"Maven 获取 Neo4j 失败 (mvn failed):\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
            shutil.rmtree(classes, ignore_errors=True)
            classes.mkdir()
            r = subprocess.run(
                ["javac", "-cp", cp_file.read_text().strip(), "-d", str(classes), str(LAUNCHER)],
                capture_output=True, text=True,
            )
            if r.returncode != 0:
                raise Neo4jLaunchError(f"编译启动器失败 (javac failed):\n{r.stderr[-3000:]}")
            stamp.write_text(self._stamp())
        return [str(classes.resolve()), cp_file.read_text().strip()]

    # --- run -------------------------------------------------------------------------------
    def pid(self) -> int | None:
        """The running JVM's process id, or None."""
        try:
            pid = int((self.dir / "neo4j.pid").read_text())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def _port(self) -> int | None:
        try:
            return int((self.dir / "neo4j.port").read_text())
        except (OSError, ValueError):
            return None

    def status(self) -> str | None:
        """The Bolt URI if our Neo4j is running and answering, else None."""
        pid, port = self.pid(), self._port()
        if pid and port and _port_open(port):
            return self.uri(port)
        return None

    def start(self, port: int = 7687, heap: str = "768m", pagecache_mb: int = 256,
              timeout: float = 120.0, password: str | None = None) -> str:
        """Start Neo4j (or find it running) and return its Bolt URI once Bolt answers.

        With a ``password`` auth is on and the user ``neo4j`` has it (handed to Java through
        the environment, not the command line); without one auth is off."""
        running = self.status()
        if running:
            return running
        if _port_open(port):
            raise Neo4jLaunchError(f"端口 {port} 已被占用 (port {port} is in use): 换一个 --port")
        cp = self.prepare()
        data = self.dir / "data"
        data.mkdir(parents=True, exist_ok=True)  # also creates self.dir
        cmd = ["java", f"-Xmx{heap}", *JVM_FLAGS, "-cp", os.pathsep.join(cp),
               "Launcher", str(data.resolve()), str(port), str(pagecache_mb)]
        with open(self.dir / "neo4j.log", "ab") as log:
            env = {k: v for k, v in os.environ.items() if k != "TUPU_NEO4J_PASSWORD"}
            if password:
                env["TUPU_NEO4J_PASSWORD"] = password
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        (self.dir / "neo4j.pid").write_text(str(proc.pid))
        (self.dir / "neo4j.port").write_text(str(port))
        (self.dir / "neo4j.args").write_text(json.dumps({"port": port, "heap": heap, "pagecache_mb": pagecache_mb}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                tail = (self.dir / "neo4j.log").read_text(errors="replace")[-3000:]
                raise Neo4jLaunchError(f"Neo4j 启动失败 (exited {proc.returncode}):\n{tail}")
            if _port_open(port) and self._bolt_answers(port, password):
                return self.uri(port)
            time.sleep(0.3)
        self.stop()
        raise Neo4jLaunchError(f"Neo4j 在 {timeout:.0f} 秒内未就绪 (not up within {timeout:.0f}s)")

    @staticmethod
    def _bolt_answers(port: int, password: str | None = None) -> bool:
        from neo4j import GraphDatabase
        from neo4j.exceptions import Neo4jError, ServiceUnavailable

        try:
            auth = ("neo4j", password) if password else None
            with GraphDatabase.driver(LocalNeo4j.uri(port), auth=auth) as d:
                d.execute_query("RETURN 1")
            return True
        except (ServiceUnavailable, Neo4jError, OSError):
            return False

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop our Neo4j cleanly (SIGTERM runs its shutdown hook); True if one was running."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        try:
            os.waitpid(pid, os.WNOHANG)  # reap it if it is our child
        except ChildProcessError:
            pass
        (self.dir / "neo4j.pid").unlink(missing_ok=True)
        return True

    def restart(self, password: str | None = None) -> str:
        """Stop and start again with the port, heap and page cache it was started with."""
        args = json.loads((self.dir / "neo4j.args").read_text())
        self.stop()
        return self.start(port=args["port"], heap=args["heap"], pagecache_mb=args["pagecache_mb"],
                          password=password)

    # --- offline import (neo4j-admin database import full) ---------------------------------
    @property
    def database_files(self) -> list[Path]:
        """The folders of the default database ``neo4j`` (store and transaction logs)."""
        data = self.dir / "data" / "data"
        return [data / "databases" / "neo4j", data / "transactions" / "neo4j"]

    def import_csv(self, nodes: list[tuple[str, Path]], relationships: list[tuple[str, Path]],
                   multiline: list[Path], log: Path, off_heap: str = IMPORT_OFF_HEAP) -> None:
        """Write the default database from CSV files with Neo4j's own offline importer
        (``neo4j-admin database import full``), replacing its files. The instance must be
        stopped. Any bad entry fails the import (``--bad-tolerance=0``): the files were checked
        before, so one would be a bug, never a row to drop silently."""
        self._admin(["database", "import", "full", "neo4j", "--overwrite-destination=true", "--bad-tolerance=0",
                     f"--array-delimiter={ARRAY_DELIMITER_ARG}", f"--max-off-heap-memory={off_heap}",
                     f"--report-file={log.with_suffix('.report')}",
                     *[f"--nodes={label}={path}" for label, path in nodes],
                     *[f"--relationships={rel}={path}" for rel, path in relationships],
                     *(["--multiline-fields-format=v2", "--multiline-fields=" + ",".join(map(str, multiline))]
                       if multiline else [])], log)

    def _require_stopped(self) -> None:
        if self.pid() is not None:
            raise Neo4jLaunchError("须先停止本地 Neo4j (stop it first)")

    def _admin(self, args: list[str], log: Path) -> None:
        """Run ``neo4j-admin`` (Neo4j's AdminTool, from the same jars) on this stopped instance."""
        self._require_stopped()
        cp = self.prepare()
        conf = self.dir / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "neo4j.conf").touch()
        env = {**os.environ, "NEO4J_HOME": str((self.dir / "data").resolve()), "NEO4J_CONF": str(conf.resolve())}
        cmd = ["java", "-Xmx1g", *JVM_FLAGS, "-cp", os.pathsep.join(cp), "org.neo4j.cli.AdminTool", *args]
        with open(log, "ab") as out:
            r = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            tail = log.read_text(errors="replace")[-3000:]
            raise Neo4jLaunchError(f"neo4j-admin {' '.join(args[:2])} 失败 (exit {r.returncode}):\n{tail}")

    def dump(self, folder: Path) -> Path:
        """``neo4j-admin database dump``: the default database as ``folder/neo4j.dump`` (stopped),
        which ``neo4j-admin database load`` puts into any Neo4j 5.26, e.g. docker-compose's."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "neo4j.dump").unlink(missing_ok=True)
        self._admin(["database", "dump", "neo4j", f"--to-path={folder.resolve()}"], self.dir / "admin.log")
        return folder / "neo4j.dump"

    def load_dump(self, folder: Path) -> None:
        """``neo4j-admin database load``: the default database replaced by ``folder/neo4j.dump``."""
        self._admin(["database", "load", "neo4j", f"--from-path={folder.resolve()}", "--overwrite-destination=true"],
                    self.dir / "admin.log")

    def wipe_database(self) -> None:
        """Delete the default database's files (stopped): the next start creates it empty."""
        self._require_stopped()
        for folder in self.database_files:
            shutil.rmtree(folder, ignore_errors=True)

    def remove(self) -> None:
        """Stop this instance and delete its folder (its database included)."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def kill(self) -> None:
        """Kill -9, as a crash would (for fault tests)."""
        pid = self.pid()
        if pid:
            os.kill(pid, signal.SIGKILL)
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                while _alive(pid):
                    time.sleep(0.1)
