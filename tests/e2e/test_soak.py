"""A bounded soak of the production server (gunicorn, two workers) on 127.0.0.1: sixteen
clients, each with its own uploaded file, mixing uploads, dashboard callbacks, CSV
downloads, health checks and page layouts for 10 s; once undisturbed (errors, isolation
between sessions, memory), once with a worker killed mid-run (the service keeps
answering and nobody loses their data). ``make soak`` runs the 60 s version."""

from __future__ import annotations

import pytest

from bench.soak import KINDS, run_soak

# Timing and memory figures: run alone, not beside other tests (see the Makefile).
pytestmark = [pytest.mark.e2e, pytest.mark.serial]

DURATION_S = 10.0
CLIENTS = 16
WORKERS = 2
WARMUP_S = 5.0
KILL_AT_S = 5.0
MIN_PER_KIND = 10


@pytest.fixture(scope="module")
def calm() -> dict:
    """A soak without a kill, on a server of its own (so memory is this run's alone)."""
    return run_soak(DURATION_S, clients=CLIENTS, workers=WORKERS, warmup_s=WARMUP_S)


@pytest.fixture(scope="module")
def killed() -> dict:
    """A soak in which one gunicorn worker is SIGKILLed after KILL_AT_S seconds."""
    return run_soak(
        DURATION_S, clients=CLIENTS, workers=WORKERS, warmup_s=WARMUP_S, kill_at_s=KILL_AT_S
    )


def test_soak_has_no_errors_and_every_session_sees_only_its_own_data(calm):
    assert calm["errors"]["total"] == 0, calm["errors"]
    assert calm["isolation_violations"] == 0, calm["isolation_examples"]
    assert calm["clients_without_upload"] == [] and calm["hung_clients"] == []
    # Every client uploads first, so every later answer was checked against its own file.
    assert calm["ok"] == calm["requests"] == calm["isolation_checks"]
    counts = {kind: calm["by_kind"][kind]["requests"] for kind in KINDS}
    assert counts["upload"] >= CLIENTS, counts
    assert all(n >= MIN_PER_KIND for n in counts.values()), counts
    assert calm["max_consecutive_failures"] == 0
    assert calm["longest_silence_s"] < 5.0


def test_memory_after_the_soak_is_within_10_percent_of_after_warm_up(calm):
    memory = calm["memory"]
    # Master and workers at both reads: no worker was replaced behind the figures' back.
    assert memory["warm"]["processes"] == memory["end"]["processes"] == WORKERS + 1, memory
    assert memory["warm"]["at_s"] < WARMUP_S + 1.0
    assert memory["end"]["at_s"] >= DURATION_S
    assert memory["ratio"] is not None, memory
    assert abs(memory["ratio"] - 1) <= 0.10, memory


def test_a_killed_worker_is_replaced_and_no_client_notices_more_than_one_request(killed):
    kill = killed["kill"]
    assert kill and "error" not in kill, kill
    assert kill["pid"] in kill["workers_before"]
    replacement = kill["replacement_pid"]
    assert replacement is not None and replacement not in kill["workers_before"], kill
    assert replacement in kill["workers_after"] and kill["pid"] not in kill["workers_after"]
    assert kill["replacement_appeared_s"] < 10.0
    assert kill["healthz_from_replacement_s"] is not None, kill
    assert kill["healthz_from_replacement"]["status"] == 200
    # A threaded worker holds every connection it accepted (served by one of its threads
    # or waiting for one): the kill may drop all of them, but each client has only one
    # request in flight, so at most one per client, and every one is retried successfully.
    assert killed["errors"]["total"] <= CLIENTS, killed["errors"]
    assert killed["errors"]["retries"] == killed["errors"]["retries_ok"], killed["errors"]
    assert killed["max_consecutive_failures"] <= 1, killed["max_consecutive_failures_by_client"]
    # Requests on connections opened after the worker died never fail (one that started
    # later on a connection the dead worker held fails once and is retried, counted above).
    after = kill["started_after_kill"]
    assert after["ok"] > 0 and after["failed"] == 0, after
    assert kill["longest_silence_around_kill_s"] < 5.0
    assert killed["hung_clients"] == []


def test_sessions_keep_their_own_data_across_the_worker_kill(killed):
    assert killed["isolation_violations"] == 0, killed["isolation_examples"]
    assert killed["clients_without_upload"] == []
    # Each session's upload is still its own after the kill (the store is shared).
    assert killed["kill"]["clients_verified_after_kill"] == CLIENTS
