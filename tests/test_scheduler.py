"""The scheduler: one acting process per database, takeover on death, no overlap (RELIABILITY.md S1, S2, S5, S6)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from scheduler import Worker, job_schedules
from settings import cron_trigger, load_settings
from store.engine import make_engine, read_session
from store.migrate import upgrade
from store.models import JobRun

ROOT = Path(__file__).resolve().parent.parent
FAR = "0 4 1 1 *"  # once a year: keeps the other jobs out of the way


def write_config(tmp_path: Path, **schedule: str) -> Path:
    values = {"scrape": FAR, "digest": FAR, "overview": FAR, "reminders": FAR, "reconcile": FAR}
    values.update(schedule)
    lines = ["[schedule]"] + [f'{k} = "{v}"' for k, v in values.items()] + ["standby_poll_seconds = 0.5"]
    lines += ["[paths]", f'var_dir = "{tmp_path / "var"}"', f'profiles_dir = "{tmp_path / "profiles"}"']
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_worker(config: Path, db_url: str, log: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, str(ROOT / "scheduler.py"), "--config", str(config), "--database-url", db_url, "worker"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )


def migrate(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()


def runs(db_url: str, job: str) -> list[JobRun]:
    engine = make_engine(db_url)
    try:
        with read_session(engine) as s:
            return list(s.exec(select(JobRun).where(JobRun.job == job).order_by(JobRun.id)))
    finally:
        engine.dispose()


def stop_all(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


@pytest.mark.slow
def test_s1_four_processes_run_a_one_second_job_ten_times_from_one_process(tmp_path, db_url):
    config = write_config(tmp_path, scrape="* * * * * *")
    migrate(db_url)
    procs = [start_worker(config, db_url, tmp_path / f"w{i}.log") for i in range(4)]
    try:
        # wait until one of them acts, then count for 10 s
        deadline = time.monotonic() + 20
        while not runs(db_url, "scrape") and time.monotonic() < deadline:
            time.sleep(0.2)
        first = runs(db_url, "scrape")
        assert first, "no scheduler started acting within 20 s: " + (tmp_path / "w0.log").read_text()
        start_count = len(first)
        time.sleep(10)
        window = runs(db_url, "scrape")[start_count - 1 :]
    finally:
        stop_all(procs)
    # one execution per tick (a second process acting would double them); on a busy machine one late tick
    # may be coalesced into the next, which runs it once
    assert 8 <= len(window) - 1 <= 11, f"{len(window) - 1} executions in 10 s"
    assert len({r.runner for r in window}) == 1, "executions came from more than one process"
    assert all(p.returncode == 0 for p in procs)


@pytest.mark.slow
def test_s2_a_standby_takes_over_within_five_seconds_after_kill_9(tmp_path, db_url):
    config = write_config(tmp_path, scrape="* * * * * *")
    migrate(db_url)
    procs = [start_worker(config, db_url, tmp_path / f"w{i}.log") for i in range(2)]
    try:
        deadline = time.monotonic() + 20
        while not runs(db_url, "scrape") and time.monotonic() < deadline:
            time.sleep(0.2)
        holder_runner = runs(db_url, "scrape")[-1].runner
        holder = next(p for p in procs if holder_runner.endswith(f":{p.pid}"))
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        killed_at = time.monotonic()
        taken_over = None
        while time.monotonic() - killed_at < 8:
            latest = runs(db_url, "scrape")[-1]
            if latest.runner != holder_runner:
                taken_over = time.monotonic() - killed_at
                break
            time.sleep(0.1)
    finally:
        stop_all(procs)
    assert taken_over is not None, "no standby took over"
    assert taken_over <= 5.0


def test_s5_default_jobs_fire_once_a_day_across_both_dst_nights():
    settings = load_settings(None, env={})
    zone = ZoneInfo(settings.schedule.timezone)
    for name, expression in job_schedules(settings).items():
        if name == "reconcile":
            continue
        trigger = cron_trigger(expression, settings.schedule.timezone)
        for start in (datetime(2026, 3, 27, 12, tzinfo=zone), datetime(2026, 10, 23, 12, tzinfo=zone)):
            fires, previous, now = [], None, start
            while True:
                nxt = trigger.get_next_fire_time(previous, now)
                if nxt > start + timedelta(days=5):
                    break
                fires.append(nxt)
                previous, now = nxt, nxt
            days = [f.astimezone(zone).date() for f in fires]
            assert len(days) == len(set(days)), f"{name} fires twice on a day around {start:%Y-%m-%d}: {fires}"
            assert all(not (2 <= f.astimezone(zone).hour < 3) for f in fires), f"{name} runs in the DST hour"
            if name == "scrape" or name == "reminders":
                assert len(days) == 5, f"{name} skipped a day around {start:%Y-%m-%d}: {fires}"


def test_s6_a_job_longer_than_its_interval_does_not_overlap_and_still_runs_again(tmp_path, db_url):
    settings = load_settings(write_config(tmp_path), env={})
    engine = make_engine(db_url)
    upgrade(engine)
    active, overlaps, starts = [0], [0], []
    guard = threading.Lock()

    def slow(now: datetime) -> str:
        with guard:
            active[0] += 1
            overlaps[0] = max(overlaps[0], active[0])
            starts.append(time.monotonic())
        time.sleep(2.5)
        with guard:
            active[0] -= 1
        return "slow scrape done"

    def quick(now: datetime) -> str:
        return "digest done"

    worker = Worker(
        settings, engine, {"scrape": slow, "digest": quick}, {"scrape": "* * * * * *", "digest": "* * * * * *"}
    )
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    time.sleep(6.5)
    stop.set()
    thread.join(timeout=10)
    assert overlaps[0] == 1
    assert len(starts) >= 2, "the next run did not happen after the long one"
    with read_session(engine) as s:
        digests = list(s.exec(select(JobRun).where(JobRun.job == "digest")))
    # the long scrape did not block the digest, which ran about once a second meanwhile
    assert len(digests) >= 4
    assert all(r.outcome == "ok" for r in digests)
    engine.dispose()


def test_a_failing_job_is_recorded_and_does_not_stop_the_scheduler(tmp_path, sqlite_url):
    settings = load_settings(write_config(tmp_path), env={})
    engine = make_engine(sqlite_url)
    upgrade(engine)

    def broken(now: datetime) -> str:
        raise RuntimeError("boom")

    worker = Worker(settings, engine, {"scrape": broken}, {"scrape": "* * * * * *"})
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    time.sleep(2.5)
    stop.set()
    thread.join(timeout=10)
    with read_session(engine) as s:
        rows = list(s.exec(select(JobRun).where(JobRun.job == "scrape")))
    assert len(rows) >= 2
    assert all(r.outcome == "error" and r.message == "RuntimeError: boom" for r in rows)
    assert all(r.finished_at is not None for r in rows)
    engine.dispose()


def test_the_reconciler_runs_at_start_with_the_workers_clock(tmp_path, db_url):
    settings = load_settings(write_config(tmp_path), env={})
    engine = make_engine(db_url)
    upgrade(engine)
    restart = datetime(2026, 11, 23, 11, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
    seen: list[datetime] = []
    worker = Worker(
        settings, engine, {"reconcile": lambda now: seen.append(now) or "ok"}, {"reconcile": FAR}, clock=lambda: restart
    )
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,))
    thread.start()
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)
    assert seen == [restart]
    engine.dispose()
