"""The soak's own production layout on loopback: a PostgreSQL cluster, a Redis, an S3 API (moto),
an SMS gateway, two gunicorn hosts and a job worker, each on a free port of 127.0.0.1 and in a
temporary folder, so that the faults the soak injects hurt nothing else on the machine.

Every process starts in a session of its own: stopping one (or a whole web host, its master and
workers) never touches another, and `close()` ends exactly the processes this layout started.
"""

from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "jiati-soak"
S3_KEYS = {
    "S3_ACCESS_KEY_ID": "soak",
    "S3_SECRET_ACCESS_KEY": "soak-secret",
    "S3_REGION": "us-east-1",
}
WEB_WORKERS = 2  # per host: two hosts of two on a two-core machine


class LayoutError(RuntimeError):
    """Something the layout needs is missing or would not start."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(condition, what: str, timeout: float = 60.0, proc: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if proc is not None and proc.poll() is not None:
            raise LayoutError(f"{what}: the process exited with {proc.returncode}")
        time.sleep(0.1)
    raise LayoutError(f"timed out waiting for {what}")


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's programs (Debian keeps them out of PATH)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[-3])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise LayoutError("PostgreSQL's initdb not found: apt-get install postgresql")


# --- the SMS gateway -------------------------------------------------------------------------


class Gateway:
    """The SMS gateway the app posts to (SMS_GATEWAY_URL): counts each message's Idempotency-Key,
    so that a message sent twice, or never, shows."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                json.loads(self.rfile.read(length) or b"{}")
                with gateway.lock:
                    gateway.received[self.headers.get("Idempotency-Key", "")] += 1
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- the layout --------------------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path
    started: float = field(default_factory=time.monotonic)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None


class Layout:
    def __init__(self, keep: bool = False):
        self.keep = keep
        self.root = Path(tempfile.mkdtemp(prefix="jiati-soak-"))
        self.logs = self.root / "logs"
        self.logs.mkdir()
        self.pg_port, self.redis_port, self.s3_port = free_port(), free_port(), free_port()
        self.web_ports = [free_port(), free_port()]
        self.procs: list[Proc] = []  # every process started, in order (the dead ones too)
        self.web: list[Proc | None] = [None, None]
        self.worker: Proc | None = None
        self.redis: Proc | None = None
        self.s3: Proc | None = None
        self.gateway: Gateway | None = None
        self.pg_bin = postgres_bin()
        self.pg_dir = self.root / "pg"
        self.as_root = os.geteuid() == 0
        self.database_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.pg_port}/jiati"
        self.secret = secrets.token_hex(32)

    # -- environment

    def env(self, name: str, **extra: str) -> dict[str, str]:
        """What every host and the worker are given, as the README's deployment sets it."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("FLASK_", "AWS_", "S3_", "SMS_")) and k not in _APP_NAMES
        }
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "STORAGE_URL": f"s3://{BUCKET}/files",
                "S3_ENDPOINT_URL": f"http://127.0.0.1:{self.s3_port}",
                **S3_KEYS,
                "AWS_EC2_METADATA_DISABLED": "true",
                "SMS_GATEWAY_URL": self.gateway.url if self.gateway else "",
                "SMS_GATEWAY_KEY": "soak",
                "FLASK_SECRET_KEY": self.secret,
                # The soak's cases go from application to approval within seconds: the notice
                # is shortened explicitly, as the demo does (every page says so in a banner).
                "FLASK_PUBLICITY_DAYS": "0",
                "FLASK_DEMO_SHORT_PUBLICITY": "true",
                # One loopback address plays every household and every office: the per-address
                # limit on signing links is for the public, not for this.
                "FLASK_RATELIMIT_SIGNING": "100000 per minute",
                "ELEVATOR_INSTANCE_PATH": str(self.root / f"instance-{name}"),
                "WEB_CONCURRENCY": str(WEB_WORKERS),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(extra)
        return env

    def _start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Proc:
        log = self.logs / f"{name}.log"
        handle = log.open("ab")
        popen = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env if env is not None else self.env(name),
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        handle.close()
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def flask(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        """A `flask --app web …` command against the layout, waited for."""
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "web", *args],
            cwd=ROOT,
            env=self.env("cli", FLASK_LOG_JSON="false"),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    # -- PostgreSQL

    def _pg(self, *argv: str) -> list[str]:
        cmd = [str(self.pg_bin / argv[0]), *argv[1:]]
        return ["runuser", "-u", "postgres", "--", *cmd] if self.as_root else cmd

    def init_postgres(self) -> None:
        self.pg_dir.mkdir()
        if self.as_root:
            os.chmod(self.root, 0o711)  # postgres may pass through to its own folder
            shutil.chown(self.pg_dir, "postgres", "postgres")
        out = subprocess.run(
            self._pg("initdb", "-D", str(self.pg_dir / "data"), "-U", "postgres",
                     "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"),
            capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode:
            raise LayoutError(f"initdb failed: {out.stderr[-2000:]}")
        self.start_postgres()
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.pg_port} user=postgres dbname=postgres", autocommit=True
        ) as c:
            c.execute("CREATE DATABASE jiati")

    def start_postgres(self) -> None:
        out = subprocess.run(
            self._pg("pg_ctl", "-D", str(self.pg_dir / "data"), "-l", str(self.pg_dir / "server.log"),
                     "-w", "-t", "60", "-o",
                     f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -k {self.pg_dir} "
                     "-c max_connections=200 -c fsync=off -c full_page_writes=off",
                     "start"),
            capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode:
            raise LayoutError(
                f"PostgreSQL would not start: {out.stdout[-1000:]}{out.stderr[-1000:]}"
            )

    def stop_postgres(self) -> None:
        """`pg_ctl stop -m fast`: every session is ended at once, as a restart does."""
        subprocess.run(
            self._pg("pg_ctl", "-D", str(self.pg_dir / "data"), "-m", "fast", "-w", "stop"),
            capture_output=True,
        )

    def postgres_running(self) -> bool:
        return (self.pg_dir / "data" / "postmaster.pid").exists() and listening(self.pg_port)

    # -- Redis

    def start_redis(self) -> None:
        if shutil.which("redis-server") is None:
            raise LayoutError("redis-server not found: apt-get install redis-server")
        self.redis = self._start(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.root)],
        )  # fmt: skip
        wait_until(lambda: listening(self.redis_port), "Redis", 20, self.redis.popen)

    def kill_redis(self) -> None:
        if self.redis and self.redis.alive():
            os.kill(self.redis.pid, signal.SIGKILL)
            self.redis.popen.wait()

    # -- S3

    def start_s3(self) -> None:
        self.s3 = self._start(
            "s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.s3_port)]
        )
        wait_until(lambda: listening(self.s3_port), "the S3 API (moto)", 60, self.s3.popen)
        import boto3

        boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.s3_port}",
            aws_access_key_id=S3_KEYS["S3_ACCESS_KEY_ID"],
            aws_secret_access_key=S3_KEYS["S3_SECRET_ACCESS_KEY"],
            region_name=S3_KEYS["S3_REGION"],
        ).create_bucket(Bucket=BUCKET)

    def pause_s3(self) -> None:
        """Unreachable: the server holds its objects but answers nothing (SIGSTOP)."""
        os.kill(self.s3.pid, signal.SIGSTOP)

    def resume_s3(self) -> None:
        os.kill(self.s3.pid, signal.SIGCONT)

    # -- web hosts and the worker

    def start_web(self, i: int) -> Proc:
        proc = self._start(
            f"web{i}",
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "web:create_app()"],
            self.env(f"web{i}", PORT=str(self.web_ports[i])),
        )
        self.web[i] = proc
        return proc

    def kill_web(self, i: int) -> None:
        """The host dies: its master and every worker at once (SIGKILL to the session)."""
        proc = self.web[i]
        if proc is not None and proc.alive():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.popen.wait()

    def web_workers(self, i: int) -> list[int]:
        proc = self.web[i]
        return children(proc.pid) if proc is not None and proc.alive() else []

    def start_worker(self) -> Proc:
        self.worker = self._start("worker", [sys.executable, "-m", "flask", "--app", "web",
                                             "worker", "--threads", "2"])  # fmt: skip
        return self.worker

    def kill_worker(self) -> None:
        """SIGKILL to the worker's main process alone, as the kernel's OOM killer would."""
        if self.worker and self.worker.alive():
            os.kill(self.worker.pid, signal.SIGKILL)
            self.worker.popen.wait()

    def session_leftovers(self, proc: Proc) -> list[int]:
        """Processes still in a dead process's session (a killed worker's render pool)."""
        return [pid for pid in all_pids() if _sid(pid) == proc.pid and pid != proc.pid]

    # -- the end

    def close(self) -> None:
        """Stop exactly what this layout started, then remove its folder."""
        if self.s3 is not None and self.s3.alive():
            try:
                self.resume_s3()
            except ProcessLookupError:
                pass
        for proc in reversed(self.procs):
            if proc.alive():
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 15
        for proc in reversed(self.procs):
            try:
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.procs:  # the sessions' leftovers too (pool children, gunicorn workers)
            for pid in [proc.pid, *self.session_leftovers(proc)]:
                try:
                    if _sid(pid) == proc.pid:
                        os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            if proc.alive():
                proc.popen.wait()
        if self.pg_dir.exists():
            self.stop_postgres()
        if self.gateway is not None:
            self.gateway.close()
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)


# Settings a developer's shell may carry that must not leak into the layout's processes.
_APP_NAMES = {"DATABASE_URL", "REDIS_URL", "STORAGE_URL", "ELEVATOR_INSTANCE_PATH", "PORT",
              "HOST", "WEB_CONCURRENCY"}  # fmt: skip


# --- /proc --------------------------------------------------------------------------------------


def all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command may hold spaces and parentheses: fields start after the last ')'.
    return raw[raw.rindex(")") + 2 :].split()


def _sid(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[3]) if fields else None


def children(pid: int) -> list[int]:
    out = []
    for p in all_pids():
        fields = _stat(p)
        if fields and int(fields[1]) == pid:
            out.append(p)
    return sorted(out)


def rss_kib(pid: int) -> int | None:
    """Resident memory of a process, from /proc (no psutil needed)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None
