"""Deployments from prefect.yaml: serve them from one process, register them with a server, trigger runs."""
from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import yaml

from flows.backfill import backfill
from flows.ingest import ingest
from flows.reprocess import reprocess
from flows.stages import LOAD_LIMIT

ROOT = Path(__file__).resolve().parents[1]
FLOWS = {"flows/ingest.py:ingest": ingest, "flows/reprocess.py:reprocess": reprocess,
         "flows/backfill.py:backfill": backfill}
DEFAULT_FILE = ROOT / "prefect.yaml"


def read_deployments(path: str | Path = DEFAULT_FILE) -> list[dict]:
    """Return the deployment entries of a prefect.yaml file."""
    with open(path, encoding="utf-8") as handle:
        entries = (yaml.safe_load(handle) or {}).get("deployments") or []
    for entry in entries:
        if entry.get("entrypoint") not in FLOWS:
            raise ValueError(f"deployment {entry.get('name')!r}: unknown entrypoint {entry.get('entrypoint')!r}")
    return entries


def schedules_of(entry: dict) -> list:
    """Turn a deployment's schedules (cron or interval, with a time zone) into Prefect schedules."""
    from prefect.schedules import Cron, Interval

    found = []
    for schedule in entry.get("schedules") or []:
        if "cron" in schedule:
            found.append(Cron(schedule["cron"], timezone=schedule.get("timezone")))
        elif "interval" in schedule:
            found.append(Interval(schedule["interval"], timezone=schedule.get("timezone")))
    return found


def runner_deployments(path: str | Path = DEFAULT_FILE, only: list[str] | None = None) -> list:
    """Build the deployments Prefect's serve runs in this process."""
    return [FLOWS[e["entrypoint"]].to_deployment(
        name=e["name"], parameters=e.get("parameters") or {}, schedules=schedules_of(e),
        description=e.get("description"), tags=e.get("tags"))
        for e in read_deployments(path) if not only or e["name"] in only]


def serve_all(path: str | Path = DEFAULT_FILE, only: list[str] | None = None) -> None:
    """Serve every deployment with its schedule until SIGTERM or Ctrl-C, then stop cleanly."""
    from prefect import serve

    def stop(signum, frame):
        raise KeyboardInterrupt  # Prefect's serve shuts down on KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    deployments = runner_deployments(path, only)
    try:
        serve(*deployments, pause_on_shutdown=False, print_starting_message=True)
    except KeyboardInterrupt:
        pass
    print("newsflow serve: stopped", file=sys.stderr)


def deploy_all(path: str | Path = DEFAULT_FILE, work_pool: str = "newsflow-process") -> list[str]:
    """Register every deployment with the Prefect server for a process work pool; create the load limit."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate, WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=work_pool, type="process"))
        except ObjectAlreadyExists:
            pass
        try:
            client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=LOAD_LIMIT, limit=1))
        except ObjectAlreadyExists:
            pass
    ids = []
    for entry in read_deployments(path):
        flow = FLOWS[entry["entrypoint"]].from_source(source=str(ROOT), entrypoint=entry["entrypoint"])
        ids.append(str(flow.deploy(name=entry["name"], work_pool_name=work_pool,
                                   parameters=entry.get("parameters") or {}, schedules=schedules_of(entry),
                                   description=entry.get("description"), tags=entry.get("tags"),
                                   print_next_steps=False, ignore_warnings=True)))  # the CLI says it once
    return ids


def parse_params(pairs: list[str]) -> dict:
    """Parse --param key=value pairs; a value that is JSON (a list, a number, true) is read as JSON."""
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"--param takes key=value, not {pair!r}")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params


def full_name(name: str, path: str | Path = DEFAULT_FILE) -> str:
    """Return "flow/deployment" for a deployment named in prefect.yaml (or a full name as given)."""
    if "/" in name:
        return name
    for entry in read_deployments(path):
        if entry["name"] == name:
            return f"{FLOWS[entry['entrypoint']].name}/{name}"
    raise ValueError(f"no deployment named {name!r} in {path}")


def is_served(full: str) -> bool:
    """Tell whether a registered deployment is READY: a `newsflow serve` process or a worker polled it lately."""
    from prefect import get_client
    from prefect.client.schemas.objects import DeploymentStatus

    with get_client(sync_client=True) as client:
        return client.read_deployment_by_name(full).status == DeploymentStatus.READY


def trigger(name: str, params: dict, wait: bool = False, path: str | Path = DEFAULT_FILE):
    """Start a run of a deployment with parameters; return the flow run (finished if ``wait``)."""
    from prefect.deployments import run_deployment

    return run_deployment(full_name(name, path), parameters=params, timeout=None if wait else 0,
                          as_subflow=False)
