"""Page benchmark: `fundwatch serve` over 100,000 generated calls, 20 concurrent clients; p50/p95 per page.

    python -m bench.pages [--calls 100000] [--clients 20] [--requests 60] [--postgres URL] [--workers 2]
                          [--no-keep-alive] [--no-pin]

The server runs as its own processes (as in production: `fundwatch serve --workers 2`); the clients are
threads with kept-alive connections (``--no-keep-alive``: a new connection per request, as the deployment
guide's nginx opens to its upstream) in this, separate, process, requesting pages back to back (no think
time: 20 clients keep the server saturated). They use the standard library's HTTP client, which costs
the load generator little CPU. On a machine with more than one core the load generator is pinned to the
last core (the server may use all), so it cannot take more than one core from the server; the CPU time
each side used, and each server process, is printed. Target: every page p95 < 200 ms.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
from sqlalchemy import func, select

from bench.search import percentile, prepare, scratch_postgres
from store.engine import read_session, write_session
from store.models import Call, Match, ScrapeRun
from store.models_strategy import CallTagging

ROOT = Path(__file__).resolve().parent.parent
#: one web process per core of the 2-core machine
WORKERS = 2
PROFILES = {
    "miljo": 'name = "Miljöförvaltningen"\n[[priorities]]\ntitle = "Vatten"\ntext = "Vattenvård och hav"\nkeywords = ["vatten"]\n',
    "skola": 'name = "Barn- och ungdomsförvaltningen"\n[[priorities]]\ntitle = "Skola"\ntext = "Skolutveckling"\n',
    "kultur": 'name = "Kultur- och fritidsförvaltningen"\n[[priorities]]\ntitle = "Kultur"\ntext = "Kultur och bibliotek"\n',
}
SEARCHES = [
    "vatten",
    "klimatanpassning",
    "digitalisering skola",
    '"social hållbarhet"',
    "innovation",
    "energi -vind",
    "water climate",
    "kommun",
    "östersjön",
    "bredband landsbygd",
]


def tag_calls(engine) -> None:
    """Give every call its Agenda 2030 and child/youth tags, as the match run does in production (a call page
    shows the stored tags; it computes them itself only for a call the match run has not tagged yet)."""
    from commands.strategy import tag_stored_calls
    from match_run import stored_calls

    with read_session(engine) as db:
        tagged = db.scalar(select(func.count()).select_from(CallTagging))
        total = db.scalar(select(func.count()).select_from(Call))
    if tagged < total:
        start = time.perf_counter()
        count = tag_stored_calls(engine, stored_calls(engine))
        print(f"tagged {count:,} calls in {time.perf_counter() - start:.0f} s", flush=True)


def add_matches_and_runs(engine) -> int:
    tag_calls(engine)
    with read_session(engine) as db:
        if db.scalar(select(func.count()).select_from(Match)):
            return db.scalar(select(func.max(Call.id)))
        top = db.scalar(select(func.max(Call.id)))
    rng = random.Random(3)
    now = datetime.now(UTC)
    with write_session(engine) as db:
        for profile in PROFILES:
            for call_id in rng.sample(range(1, top + 1), 300):
                db.add(
                    Match(
                        profile_id=profile,
                        call_id=call_id,
                        score=rng.random(),
                        matched_at=now,
                        explanation={"priority": "Vatten", "reasons": ["Nämner vatten"], "terms": []},
                    )
                )
        for source in ("bench-vinnova", "bench-formas", "bench-european"):
            for day in range(30):
                db.add(ScrapeRun(source=source, started_at=now - timedelta(days=day), outcome="ok", parsed=100 + day))
    return top


def start_server(config: Path, workers: int = WORKERS) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, FUNDWATCH_WEB_SECRET="b" * 48, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "scheduler.py"),
            "--config",
            str(config),
            "serve",
            "--port",
            "0",
            "--workers",
            str(workers),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    # read the log until the "listening on" line (or the end of the process)
    while True:
        line = process.stderr.readline()
        found = re.search(r"listening on (http://\S+)", line)
        if found:
            threading.Thread(target=process.stderr.read, daemon=True).start()
            return process, found.group(1)
        if not line and process.poll() is not None:
            break
    process.kill()
    raise SystemExit("the server did not start")


def _cpu_by_process(pid: int, children: bool = True) -> dict[int, float]:
    """User + system CPU seconds of a process (and of its child processes, e.g. forked web workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    out: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent, user, system = int(fields[1]), int(fields[11]), int(fields[12])
        if int(entry.name) == pid or (children and parent == pid):
            out[int(entry.name)] = (user + system) / tick
    return out


def connections_by_process(pid: int, port: int) -> dict[int, int]:
    """Established connections to ``port`` held by the process ``pid`` and each of its children (from /proc)."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 01: ESTABLISHED
                established.add(fields[9])  # the socket's inode
    out = {}
    for process in _cpu_by_process(pid):
        try:
            links = [os.readlink(f"/proc/{process}/fd/{fd}") for fd in os.listdir(f"/proc/{process}/fd")]
        except OSError:
            continue
        out[process] = sum(1 for link in links if link.startswith("socket:[") and link[8:-1] in established)
    return out


def sample_connections(pid: int, port: int, stop: threading.Event, samples: list[dict[int, int]]) -> None:
    """Every 0.25 s until ``stop``: how many connections each server process holds (the first as the clients'
    connections are made)."""
    time.sleep(0.05)
    while True:
        samples.append(connections_by_process(pid, port))
        if stop.wait(0.25):
            return


def _cpu_seconds(pid: int, children: bool = True) -> float:
    return sum(_cpu_by_process(pid, children).values())


def client_loop(
    url: str,
    top: int,
    count: int,
    seed: int,
    out: list[tuple[str, float]],
    lock: threading.Lock,
    keep_alive: bool = True,
) -> None:
    rng = random.Random(seed)
    pages = [
        ("search", lambda: f"/?q={rng.choice(SEARCHES)}"),
        ("search+filters", lambda: f"/?q={rng.choice(SEARCHES)}&status=open&language=sv&municipal=1&sort=deadline"),
        ("search page 5", lambda: f"/?q={rng.choice(SEARCHES)}&page=5"),
        ("browse", lambda: "/?status=open&sort=deadline"),
        ("call", lambda: f"/calls/{rng.randint(1, top)}"),
        ("profiles", lambda: "/profiles"),
        ("profile", lambda: f"/profiles/{rng.choice(list(PROFILES))}"),
        ("sources", lambda: "/sources"),
        ("api search", lambda: f"/api/calls?q={rng.choice(SEARCHES)}"),
        ("api call", lambda: f"/api/calls/{rng.randint(1, top)}"),
        ("ics", lambda: f"/profiles/{rng.choice(list(PROFILES))}/deadlines.ics"),
        ("login", lambda: "/login"),
    ]
    timings = []
    # the standard library's client: it costs the load generator several times less CPU per request than httpx,
    # so the measurement takes less of the machine away from the server
    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    headers = {} if keep_alive else {"Connection": "close"}
    try:
        for _ in range(count):
            kind, path = rng.choice(pages)
            target = quote(path(), safe="/?=&")
            start = time.perf_counter()
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                raise SystemExit(f"{target}: HTTP {response.status}")
            if not keep_alive:  # a new connection per request, as from the deployment guide's nginx
                connection.close()
            timings.append((kind, elapsed))
    finally:
        connection.close()
    with lock:
        out.extend(timings)


def warm_up(base: str, limit: float = 900) -> None:
    """Wait until every server process has built its index of open calls (each builds it at start-up; a call
    page meanwhile says "tas fram"): new connections reach either worker, so several in a row must be ready."""
    start = time.perf_counter()
    ready = 0
    while ready < 8:
        if time.perf_counter() - start > limit:
            raise SystemExit("the server did not finish warming up")
        with httpx.Client(base_url=base, timeout=120) as warm:
            for path in ("/", "/?q=vatten", "/profiles", "/sources"):
                warm.get(path)
            pending = "tas fram just nu" in warm.get("/calls/1").text
        ready = 0 if pending else ready + 1
        if pending:
            time.sleep(2)
    print(f"server warmed up in {time.perf_counter() - start:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=60, help="requests per client")
    parser.add_argument("--sqlite", default="", help="SQLite file to use (kept); default a temporary one")
    parser.add_argument("--postgres", default="", help="benchmark on a scratch database on this PostgreSQL server")
    parser.add_argument("--keep", default="", help="PostgreSQL: use (and keep) the database of this name")
    parser.add_argument("--workers", type=int, default=WORKERS, help="web server processes (fundwatch serve --workers)")
    parser.add_argument(
        "--threads", type=int, help="requests each process works on at once (default: the web.threads default)"
    )
    parser.add_argument(
        "--no-keep-alive",
        dest="keep_alive",
        action="store_false",
        help="a new connection per request (as nginx opens to its upstream by default) instead of one per client",
    )
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin the load generator to a core")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "profiles"
        folder.mkdir()
        for name, text in PROFILES.items():
            (folder / f"{name}.toml").write_text(text, encoding="utf-8")
        if args.postgres:
            with scratch_postgres(args.postgres, args.keep) as url:
                run(url, folder, Path(tmp), args)
        else:
            run(f"sqlite:///{args.sqlite or Path(tmp) / 'bench.db'}", folder, Path(tmp), args)


def run(url: str, folder: Path, tmp: Path, args) -> None:
    engine = prepare(url, args.calls)
    top = add_matches_and_runs(engine)
    engine.dispose()
    config = tmp / "config.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n[paths]\nprofiles_dir = "{folder}"\n'
        + (f"[web]\nthreads = {args.threads}\n" if args.threads else ""),
        encoding="utf-8",
    )
    process, base = start_server(config, args.workers)
    cpus = sorted(os.sched_getaffinity(0))
    if args.pin and len(cpus) > 1:  # the server (already started) keeps every core; the clients get one
        os.sched_setaffinity(0, {cpus[-1]})
    try:
        warm_up(base)
        clients_before, server_before = _cpu_seconds(os.getpid(), children=False), _cpu_by_process(process.pid)
        results: list[tuple[str, float]] = []
        lock = threading.Lock()
        threads = [
            threading.Thread(target=client_loop, args=(base, top, args.requests, seed, results, lock, args.keep_alive))
            for seed in range(args.clients)
        ]
        samples: list[dict[int, int]] = []
        stop = threading.Event()
        sampler = threading.Thread(target=sample_connections, args=(process.pid, urlsplit(base).port, stop, samples))
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        sampler.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - start
        stop.set()
        sampler.join()
        clients_cpu = _cpu_seconds(os.getpid(), children=False) - clients_before
        server_after = _cpu_by_process(process.pid)
        per_process = sorted((server_after[p] - server_before.get(p, 0.0) for p in server_after), reverse=True)
        server_cpu = sum(per_process)
    finally:
        process.terminate()
        process.wait(timeout=30)
        os.sched_setaffinity(0, cpus)
    name = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(
        f"\n{name}: {args.calls:,} calls, {args.clients} concurrent clients, {len(results)} requests "
        f"in {wall:.1f} s ({len(results) / wall:.0f} requests/s)"
    )
    pinned = f"clients pinned to CPU {cpus[-1]}" if args.pin and len(cpus) > 1 else "clients not pinned"
    print(
        f"  CPU used: server {server_cpu:.1f} s, load generator {clients_cpu:.1f} s ({pinned}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})"
    )
    # kept-alive connections stay with the process that accepted them: an uneven split shows here
    print(f"  server CPU per process: {', '.join(f'{seconds:.1f} s' for seconds in per_process)}")
    if samples:  # the split of the clients' connections over the processes, at the start and on average
        first = sorted(samples[0].values(), reverse=True)
        pids = sorted({p for sample in samples for p in sample})
        mean = sorted((statistics.mean(sample.get(p, 0) for sample in samples) for p in pids), reverse=True)
        print(
            f"  connections per process: {'/'.join(map(str, first))} at the start, "
            f"{'/'.join(f'{m:.1f}' for m in mean)} on average"
        )
    print(f"  {'page':<16} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}")
    kinds = sorted({k for k, _ in results})
    worst = 0.0
    for kind in kinds:
        values = [t for k, t in results if k == kind]
        p95 = percentile(values, 0.95)
        worst = max(worst, p95)
        print(f"  {kind:<16} {len(values):5d} {statistics.median(values):8.1f} {p95:8.1f}")
    everything = [t for _, t in results]
    print(
        f"  {'ALL':<16} {len(everything):5d} {statistics.median(everything):8.1f} {percentile(everything, 0.95):8.1f}"
        f"   target every page p95 < 200 ms: {'met' if worst < 200 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
