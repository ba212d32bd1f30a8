"""One long-lived local Prefect server for repeated runs (`newsflow server`), and how runs find it.

A bare `newsflow run` without PREFECT_API_URL makes Prefect start a temporary server for that one run and
stop it at the end; `newsflow server` keeps one running on 127.0.0.1 and records its address in
``$PREFECT_HOME/newsflow-server.json``, where later `newsflow` commands find it (PREFECT_API_URL, when set,
always wins). Only the standard library is imported here: finding the server must cost nothing.
"""
from __future__ import annotations

import atexit
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

STATE_FILE = "newsflow-server.json"
# Quiet, local defaults for a server newsflow starts; the user's own environment wins.
SERVER_DEFAULTS = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}


def prefect_home() -> Path:
    """Return Prefect's home directory as Prefect resolves it from the environment."""
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def state_path() -> Path:
    """Return the file where `newsflow server` records the address of the server it keeps."""
    return prefect_home() / STATE_FILE


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def is_healthy(api_url: str, timeout: float = 1.0) -> bool:
    """Tell whether a Prefect API answers its health check."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def wait_until_healthy(api_url: str, process: subprocess.Popen, deadline: float) -> bool:
    """Poll a server's health check until it answers (True) or its process exits (False); past the deadline raise."""
    while not is_healthy(api_url, timeout=2.0):
        if process.poll() is not None:
            return False
        if time.perf_counter() > deadline:
            process.kill()
            raise RuntimeError(f"the Prefect server did not answer on {api_url} in time")
        time.sleep(0.1)
    return True


def start_server(host: str = "127.0.0.1", port: int | None = None, ui: bool = False,
                 env: dict | None = None, timeout: float = 180.0) -> tuple[subprocess.Popen, str, float]:
    """Start `prefect server start` and wait for its health check; return (process, API URL, seconds)."""
    port = port or free_port(host)
    full_env = {**SERVER_DEFAULTS, **{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")},
                "PREFECT_SERVER_UI_ENABLED": "true" if ui else "false", **(env or {})}
    log = Path(full_env.get("PREFECT_HOME") or prefect_home()).expanduser() / "newsflow-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(log, "ab") as output:  # a file, not a pipe: nobody has to drain it while the server lives
        process = subprocess.Popen([str(Path(sys.executable).with_name("prefect")), "server", "start", "--host",
                                    host, "--port", str(port)], env=full_env, stdout=output, stderr=output)
    url = f"http://{host}:{port}/api"
    if not wait_until_healthy(url, process, started + timeout):
        raise RuntimeError(f"prefect server exited with {process.returncode}; see {log}:\n"
                           + log.read_text(errors="replace")[-2000:])
    return process, url, time.perf_counter() - started


def find_server() -> str | None:
    """Return the API URL of the server `newsflow server` keeps, if it is alive; forget a dead one."""
    path = state_path()
    try:
        state = json.loads(path.read_text())
        os.kill(int(state["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state["api_url"] if is_healthy(state["api_url"], timeout=1.0) else None


def startup_lock():
    """Take the lock that serialises temporary servers starting on one PREFECT_HOME; close the file to release it."""
    import fcntl

    home = prefect_home()
    home.mkdir(parents=True, exist_ok=True)
    handle = open(home / "newsflow-server-start.lock", "a+b")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


class TemporaryServer:
    """The temporary Prefect server of one bare run, started before anything is imported.

    Prefect itself would start the same server (uvicorn on its ASGI app factory, ephemeral mode, no UI) on the
    run's first API call, after newsflow's and its own imports; starting it first lets its ~5 s of start-up
    overlap those imports on another core. It stops when the process exits.
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.api_url = ""
        # two runs starting at once on a fresh PREFECT_HOME would both create and migrate Prefect's database; the
        # second waits here until the first server answers (its database is then set up)
        self._startup_lock = startup_lock()
        self._launch()
        os.environ["PREFECT_API_URL"] = self.api_url
        atexit.register(self.stop)

    def _launch(self) -> None:
        spec = importlib.util.find_spec("prefect")  # finds the package without importing it
        port = free_port()
        env = {**SERVER_DEFAULTS, **os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1"}
        from tasks.workers import die_with_parent

        parent = os.getpid()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(spec.origin).parent.parent), "--factory",
             "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "error", "--lifespan", "on"], env=env,
            preexec_fn=lambda: die_with_parent(parent))  # a run killed with -9 leaves no server behind
        self.api_url = f"http://127.0.0.1:{port}/api"

    def wait(self, timeout: float = 90.0) -> None:
        """Block until the server answers; relaunch once on another port if it could not bind."""
        deadline = time.perf_counter() + timeout  # PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS
        try:
            if wait_until_healthy(self.api_url, self.process, deadline):
                return
            self._launch()
            os.environ["PREFECT_API_URL"] = self.api_url
            if not wait_until_healthy(self.api_url, self.process, deadline):
                raise RuntimeError(f"the temporary Prefect server exited with {self.process.returncode}")
        finally:
            self._startup_lock.close()  # closing the file releases the lock

    def stop(self) -> None:
        self._startup_lock.close()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


def serve(host: str, port: int, ui: bool) -> int:
    """Run one Prefect server until Ctrl-C or SIGTERM, recorded for later `newsflow` commands."""
    running = find_server()
    if running:
        print(f"newsflow: a server is already running at {running}", file=sys.stderr)
        return 1
    print(f"starting Prefect server on {host}:{port} ...", file=sys.stderr, flush=True)
    process, url, seconds = start_server(host, port, ui)
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"api_url": url, "pid": process.pid, "started_at": time.time()}))
    print(f"Prefect server ready at {url} after {seconds:.1f} s" + (f"; UI at http://{host}:{port}" if ui else ""),
          file=sys.stderr)
    print(f"newsflow commands in other shells use it (or: export PREFECT_API_URL={url}); Ctrl-C stops it",
          file=sys.stderr, flush=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        while not stop.wait(1.0) and process.poll() is None:
            pass
    finally:
        path.unlink(missing_ok=True)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0 if stop.is_set() else 1
