"""Airflow as an operator runs it: `.ci/airflow-up` in a temporary home, then only the REST API.

:class:`AirflowUp` starts the project's own ``.ci/airflow-up`` (its own process group, so the
whole tree is stopped at the end) and waits until it is healthy; :class:`Api` gets a token from
``/auth/token`` and talks to ``/api/v2``: unpause, trigger, poll runs, task instance states and,
when something failed, the task logs (the assertion message shows them).

Used by the scheduler tests (tests/scheduler) and the year benchmark (bench/bench_year.py);
it needs a checkout (``.ci/airflow-up``, ``dags/``, ``plugins/``) and Airflow installed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
"""The checkout whose ``.ci/airflow-up``, DAGs and plugins are started."""
FINISHED = {"success", "failed"}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class AirflowUp:
    """`.ci/airflow-up` with ``env`` on top of this process's environment."""

    home: Path
    env: Mapping[str, str]
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The API server's base URL (loopback)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """Where `.ci/airflow-up`'s output goes."""
        return self.home / "airflow-up.log"

    def log_tail(self, lines: int = 60) -> str:
        """The end of `.ci/airflow-up`'s output (every component's, prefixed)."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def start(self, timeout: float = 240.0) -> str:
        """Start Airflow; returns the admin password once the API is healthy."""
        self.home.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "AIRFLOW_HOME": str(self.home),
            "DGOPS_AIRFLOW_PORT": str(self.port),
            "DGOPS_VENV": sys.prefix,
            "AIRFLOW__CORE__PARALLELISM": "4",
            # The scheduler's loops at test speed (defaults: seconds to a minute).
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
            **self.env,
        }
        for name in [k for k in env if k.startswith("PYTEST_") or k == "COV_CORE_SOURCE"]:
            env.pop(name)
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [str(ROOT / ".ci" / "airflow-up")],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        passwords = self.home / "simple_auth_manager_passwords.json.generated"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"airflow-up exited early:\n{self.log_tail()}")
            if "Airflow is up" in self.log_path.read_text(errors="replace"):
                return str(json.loads(passwords.read_text())["admin"])
            time.sleep(2)
        raise TimeoutError(f"Airflow not healthy after {timeout:.0f} s:\n{self.log_tail()}")

    def __enter__(self) -> AirflowUp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop `.ci/airflow-up` and everything it started (its process group)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def _log_lines(log: Mapping[str, Any]) -> list[str]:
    """A task log from the API (structured events) as text lines, errors in full."""
    lines = []
    for event in log.get("content", []):
        if not isinstance(event, Mapping):
            lines.append(str(event))
            continue
        lines.append(f"{event.get('level', '')} {event.get('event', '')}")
        for detail in event.get("error_detail") or []:
            lines.append(f"  {detail.get('exc_type')}: {detail.get('exc_value')}")
    return lines


class Api:
    """The REST API with a token from ``/auth/token``."""

    def __init__(self, url: str, password: str, user: str = "admin") -> None:
        token = httpx.post(
            f"{url}/auth/token", json={"username": user, "password": password}, timeout=30
        )
        token.raise_for_status()
        self.client = httpx.Client(
            base_url=f"{url}/api/v2",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            timeout=30,
        )

    def get(self, path: str, **params: Any) -> Any:
        """GET ``/api/v2/<path>``; the JSON answer (an HTTP error raises)."""
        response = self.client.get(path, params=params)
        response.raise_for_status()
        return response.json()

    def wait_for_dags(self, dag_ids: list[str], timeout: float = 120.0) -> None:
        """Until the DAG processor has parsed every DAG (no import errors)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            errors = self.get("/importErrors")["import_errors"]
            assert not errors, errors
            found = {d["dag_id"] for d in self.get("/dags", limit=100)["dags"]}
            if set(dag_ids) <= found:
                return
            time.sleep(2)
        raise TimeoutError(f"DAGs not parsed: {dag_ids}")

    def unpause(self, dag_id: str) -> None:
        """Unpause a DAG (new DAGs start paused)."""
        response = self.client.patch(f"/dags/{dag_id}", json={"is_paused": False})
        response.raise_for_status()

    def trigger(self, dag_id: str, conf: Mapping[str, Any], logical_date: str | None = None) -> str:
        """Trigger a run (``logical_date`` None: a run without one); returns its run id."""
        response = self.client.post(
            f"/dags/{dag_id}/dagRuns", json={"logical_date": logical_date, "conf": dict(conf)}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["dag_run_id"])

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        """The DAG's runs, oldest first."""
        return list(self.get(f"/dags/{dag_id}/dagRuns", order_by="run_after")["dag_runs"])

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str | None]:
        """Task id (``[map index]`` for mapped ones) → state."""
        tis = self.get(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", limit=200)
        return {
            ti["task_id"] + (f"[{ti['map_index']}]" if ti["map_index"] >= 0 else ""): ti["state"]
            for ti in tis["task_instances"]
        }

    def failure_report(self, dag_id: str, run_id: str) -> str:
        """The states of a run's tasks and the logs of the failed ones, fetched through the API."""
        tis = self.get(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", limit=200)
        out = [f"{dag_id} {run_id}: {self.task_states(dag_id, run_id)}"]
        for ti in tis["task_instances"]:
            if ti["state"] not in {"failed", "upstream_failed", "up_for_retry"}:
                continue
            path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{ti['task_id']}/logs/"
            path += str(max(ti["try_number"], 1))
            params = {"full_content": "true", "map_index": ti["map_index"]}
            out += [f"--- log of {ti['task_id']} (try {ti['try_number']})"]
            out += _log_lines(self.client.get(path, params=params).json())[-40:]
        return "\n".join(out)

    def wait_run(self, dag_id: str, run_id: str, timeout: float = 240.0) -> dict[str, Any]:
        """Poll a run until it finishes; fails with the task logs unless it succeeded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.get(f"/dags/{dag_id}/dagRuns/{run_id}")
            # A retry here means an error a healthy year never has: show it now.
            retrying = "up_for_retry" in self.task_states(dag_id, run_id).values()
            assert not retrying, self.failure_report(dag_id, run_id)
            if run["state"] in FINISHED:
                assert run["state"] == "success", self.failure_report(dag_id, run_id)
                return dict(run)
            time.sleep(2)
        raise AssertionError(
            f"still running after {timeout:.0f} s\n" + self.failure_report(dag_id, run_id)
        )

    def wait_triggered_run(
        self, dag_id: str, run_type: str = "asset_triggered", timeout: float = 180.0
    ) -> dict[str, Any]:
        """The first run of ``dag_id`` of ``run_type`` (started by an asset event), finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = [r for r in self.runs(dag_id) if r["run_type"] == run_type]
            if runs:
                return self.wait_run(dag_id, runs[0]["dag_run_id"], timeout)
            time.sleep(2)
        raise AssertionError(f"no {run_type} run of {dag_id} within {timeout:.0f} s")

    def wait_task(
        self, dag_id: str, run_id: str, task_id: str, states: set[str], timeout: float = 240.0
    ) -> str:
        """Poll until ``task_id`` of the run is in one of ``states``; returns the state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.task_states(dag_id, run_id)
            assert "failed" not in found.values(), self.failure_report(dag_id, run_id)
            if found.get(task_id) in states:
                return str(found[task_id])
            time.sleep(2)
        raise AssertionError(f"{dag_id}.{task_id} not in {states} within {timeout:.0f} s")

    def first_run(
        self, dag_id: str, run_type: str = "asset_triggered", timeout: float = 180.0
    ) -> str:
        """The run id of the first run of ``dag_id`` of ``run_type``, finished or not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = [r for r in self.runs(dag_id) if r["run_type"] == run_type]
            if runs:
                return str(runs[0]["dag_run_id"])
            time.sleep(2)
        raise AssertionError(f"no {run_type} run of {dag_id} within {timeout:.0f} s")


def sendgrid_connection(base_url: str, api_key: str) -> str:
    """``AIRFLOW_CONN_DGOPS_SENDGRID`` for a local SendGrid sink at ``base_url``
    (``http://host:port``): no sandbox, an Activity API that lists a message at once."""
    host, port = base_url.removeprefix("http://").split(":")
    return json.dumps(
        {
            "conn_type": "http",
            "host": host,
            "schema": "http",
            "port": int(port),
            "password": api_key,
            "extra": {"activity_lag": 0},
        }
    )
