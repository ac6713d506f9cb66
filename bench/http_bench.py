"""The app at scale through real HTTP: gunicorn (gunicorn.conf.py, 3 sync workers) on SQLite and PostgreSQL,
at 100k and 1M locations, with a bounded concurrent client (1, 8, 32), against the issue's targets.

    .venv/bin/python bench/http_bench.py                      # 100k and 1M, SQLite, and PostgreSQL if configured
    .venv/bin/python bench/http_bench.py --sizes 100000 --quick
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h_15 .venv/bin/python bench/http_bench.py

Data sets are built once (`flask setup` + `demo-locations`) and kept: SQLite files in bench/.cache/, PostgreSQL
in a schema per size (bench_<N>) of BENCH_DATABASE_URL; without it (or when it does not answer) PostgreSQL is
skipped and the table says so. The client is Python threads on keep-alive connections, on the same 2 cores as
the server, so throughput figures are a floor. The naive baselines are the ones the app had before this
bench: the permit rules read for every plan (engine.load_rules) and LIKE search (fulltext.like_scan).
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
PYTHON = sys.executable
SEED_LOCATIONS = 362  # real Takamatsu places that `flask setup` loads
WORDS = ["山", "川", "公園", "park", "高松", "温泉"]
# Town halls of ten cities (approximate): places the planner can route to.
CITIES = [(34.3428, 134.0465), (35.6895, 139.6917), (34.6937, 135.5023), (43.0642, 141.3469), (33.5902, 130.4017),
          (35.1815, 136.9066), (38.2682, 140.8694), (34.3853, 132.4553), (35.0116, 135.7681), (26.2124, 127.6809)]
PLAN_ACTIVITIES = ["road_filming", "drone", "smoke_flame", "night_shooting", "crowd_extras", "park"]


def environment(url: str) -> dict:
    env = dict(os.environ, SECRET_KEY="bench-" + "x" * 32, DATABASE_URL=url, TILE_URL="",
               SESSION_COOKIE_SECURE="false", PERMIT_PLAN_RATE_LIMIT="100000 per minute",
               EXPORT_RATE_LIMIT="100000 per minute", WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "3"))
    env.pop("GUNICORN_ACCESSLOG", None)
    return env


def flask(url: str, *args: str) -> None:
    subprocess.run([PYTHON, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=environment(url), check=True,
                   stdout=subprocess.DEVNULL)


# ------------------------------------------------------------------------------------------------- data

def sqlite_dataset(size: int) -> str:
    path = CACHE / f"sqlite-{size}.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        building = CACHE / f"building-sqlite-{size}.db"
        building.unlink(missing_ok=True)
        url = f"sqlite:///{building}"
        print(f"  building {path.name} (once; kept for later runs) …", flush=True)
        flask(url, "setup")
        flask(url, "demo-locations", "--count", str(size - SEED_LOCATIONS), "--seed", "1")
        building.rename(path)
    url = f"sqlite:///{path}"
    flask(url, "db", "upgrade")  # a data set cached by an earlier version of the code gets its new migrations
    return url


def postgres_dataset(base: str, size: int) -> str | None:
    import psycopg

    schema = f"bench_{size}"
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(plain, connect_timeout=3, autocommit=True) as conn:
            done = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
            ready = done and conn.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'location_cell'",
                (schema,)).fetchone()
            count = conn.execute(f'SELECT count(*) FROM "{schema}".location').fetchone()[0] if ready else 0
            if count != size:
                print(f"  building PostgreSQL schema {schema} (once; kept for later runs) …", flush=True)
                conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.OperationalError as error:
        print(f"  PostgreSQL skipped: {str(error).splitlines()[0]}")
        return None
    url = f"{plain}{'&' if '?' in plain else '?'}options=-csearch_path%3D{schema}"
    if count != size:
        flask(url, "setup")
        flask(url, "demo-locations", "--count", str(size - SEED_LOCATIONS), "--seed", "1")
    flask(url, "db", "upgrade")  # a data set cached by an earlier version of the code gets its new migrations
    # Measure the steady state, not autovacuum's first pass over a million new rows (which, started by the
    # build, ran during the first measurements: viewport throughput 120 req/s then, 584 req/s on a rerun).
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'SET search_path = "{schema}"')
        conn.execute("VACUUM ANALYZE")
    return url


# ----------------------------------------------------------------------------------------------- server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str):
        self.port = free_port()
        env = environment(url)
        env["GUNICORN_BIND"] = f"127.0.0.1:{self.port}"
        self.process = subprocess.Popen([PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start: " + self.process.stderr.read().decode()[-2000:])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Sample:
    times: list[float] = field(default_factory=list)  # ms
    statuses: dict[int, int] = field(default_factory=dict)
    wall: float = 0.0

    def pct(self, p: float) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else float("nan")

    @property
    def rate(self) -> float:
        return len(self.times) / self.wall if self.wall else 0.0


def request(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, bytes, dict]:
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    return response.status, data, dict(response.getheaders())


def load(port: int, requests: list[tuple[str, str, bytes | None]], concurrency: int) -> Sample:
    """Every request once, spread over ``concurrency`` keep-alive connections; per-request latency."""
    sample, lock, queue = Sample(), threading.Lock(), list(reversed(requests))

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                method, path, body = queue.pop()
            started = time.perf_counter()
            status, _, _ = request(conn, method, path, body, {"Content-Type": "application/json"} if body else None)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                sample.times.append(elapsed)
                sample.statuses[status] = sample.statuses.get(status, 0) + 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sample.wall = time.perf_counter() - started
    return sample


# --------------------------------------------------------------------------------------------- requests

def viewports(zoom: int, count: int, rng: random.Random, words: str = "") -> list[tuple[str, str, None]]:
    out = []
    for _ in range(count):
        lat, lon = rng.uniform(31.5, 43.0), rng.uniform(130.5, 144.0)
        # A 1280x800 screen at this zoom (Web Mercator, 256-px tiles).
        width = 1280 * 360 / (256 * 2 ** zoom)
        height = 800 * 360 / (256 * 2 ** zoom) * 0.8
        bbox = f"{lon - width / 2:.5f},{lat - height / 2:.5f},{lon + width / 2:.5f},{lat + height / 2:.5f}"
        q = f"&q={quote(words)}" if words else ""
        out.append(("GET", f"/api/locations?bbox={bbox}&zoom={zoom}{q}", None))
    return out


def plan_bodies(rng: random.Random, count: int) -> list[tuple[str, str, bytes]]:
    out = []
    for _ in range(count):
        lat, lon = rng.choice(CITIES)
        body = {"location": {"lat": lat, "lon": lon},
                "start_date": "2027-05-10", "end_date": "2027-05-14", "activities": PLAN_ACTIVITIES}
        out.append(("POST", "/api/permit-plan", json.dumps(body).encode()))
    return out


def first_load(port: int) -> tuple[int, int]:
    """(bytes of /map HTML, bytes of everything the first load fetches, gzip), like a browser over http."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Accept-Encoding": "gzip, deflate"}
    _, html_gz, hdrs = request(conn, "GET", "/map?lang=ja", headers=headers)
    html = gzip.decompress(html_gz) if hdrs.get("Content-Encoding") == "gzip" else html_gz
    text = html.decode()
    total = len(html_gz)
    urls = re.findall(r'(?:src|href)="(/(?:static|vendor)[^"]+)"', text) + \
        [u.replace("&amp;", "&") for u in re.findall(r'"url": "(/api/(?:prefectures|commissions|overuse)[^"]*)"', text)]
    urls.append("/api/locations?bbox=122.9,24.0,153.9,45.6&zoom=5")  # the map's first viewport
    for url in urls:
        _, data, _ = request(conn, "GET", url, headers=headers)
        total += len(data)
    conn.close()
    return len(html), total


# ---------------------------------------------------------------------------------------------- running

@dataclass
class Row:
    measure: str
    size: int
    engine: str
    value: str
    target: str
    met: bool | None

    def __post_init__(self):
        print(f"    {self.measure}: {self.value} (target {self.target})", flush=True)


def run_one(engine: str, url: str, size: int, quick: bool, rows: list[Row], naive: dict) -> None:
    rng = random.Random(20240601)
    n = 40 if quick else 120
    server = Server(url)
    try:
        load(server.port, viewports(8, 10, rng) + [("GET", "/locations?q=" + quote(w), None) for w in WORDS], 2)
        load(server.port, plan_bodies(rng, 12), 4)  # every worker's first plan (the rule book is built at start)
        c1 = [load(server.port, viewports(z, n // 3, rng), 1) for z in (5, 8, 12)]
        vp = Sample(times=[t for s in c1 for t in s.times])
        rows.append(Row("viewport API p50 / p95 (c=1)", size, engine, f"{vp.pct(50):.1f} / {vp.pct(95):.1f} ms",
                        "≤ 5 / 20 ms", vp.pct(50) <= 5 and vp.pct(95) <= 20))
        for c in (8, 32):
            s = load(server.port, viewports(8, n * 2, rng), c)
            rows.append(Row(f"viewport throughput c={c}, 3 workers", size, engine,
                            f"{s.rate:.0f} req/s (p95 {s.pct(95):.0f} ms)", "≥ 700 req/s" if c == 8 else "–",
                            s.rate >= 700 if c == 8 else None))
        for label, prefix in (("page /locations?q=", "/locations?q="), ("API /api/locations?q=", "/api/locations?q=")):
            reqs = [("GET", prefix + quote(w), None) for w in WORDS for _ in range(max(3, n // 20))]
            s = load(server.port, reqs, 1)
            target = 20 if engine == "PostgreSQL" else 10
            target = target * (2 if size >= 1_000_000 else 1)
            rows.append(Row(f"text search {label} 山 川 公園 park 高松 温泉 p95", size, engine,
                            f"{s.pct(95):.1f} ms (p50 {s.pct(50):.1f})", f"≤ {target} ms",
                            s.pct(95) <= target))
        reqs = [("GET", f"/locations?q={quote(w)}&category=park", None) for w in ("山", "公園")] + \
               [("GET", f"/locations?q={quote(w)}&prefecture=13", None) for w in ("山", "川")]
        s = load(server.port, reqs * max(3, n // 20), 1)
        rows.append(Row("text + filters page p95", size, engine, f"{s.pct(95):.1f} ms", "(no target)", None))
        s = load(server.port, viewports(5, n // 4, rng, "山") + viewports(8, n // 4, rng, "公園"), 1)
        target = 40 if size >= 1_000_000 else 20
        rows.append(Row("word-filtered viewport p95 (山 z5, 公園 z8)", size, engine, f"{s.pct(95):.1f} ms",
                        f"≤ {target} ms", s.pct(95) <= target))
        s = load(server.port, [("GET", f"/locations?page={p}", None) for p in range(1, n // 2)], 1)
        target = 60 if size >= 1_000_000 else 30
        rows.append(Row("/locations page p95 (c=1)", size, engine, f"{s.pct(95):.1f} ms", f"≤ {target} ms",
                        s.pct(95) <= target))
        plans = []
        for _ in range(n // 4):
            s = load(server.port, plan_bodies(rng, 10), 1)
            assert set(s.statuses) == {200}, s.statuses
            plans.append(sum(s.times))
        plan = Sample(times=plans)
        rows.append(Row("permit plan 10 loc × 5 days × 6 activities via API, summed, p95", size, engine,
                        f"{plan.pct(95):.1f} ms (p50 {plan.pct(50):.1f}; naive {naive.get(engine, '–')})",
                        "≤ 20 ms", plan.pct(95) <= 20))
        html, total = first_load(server.port)
        rows.append(Row("first load of /map, all requests, gzip", size, engine, f"{total / 1024:.0f} KB",
                        "≤ 150 KB", total <= 150 * 1024))
        rows.append(Row("map page bytes (HTML)", size, engine, f"{html:,} B", "flat", None))
        statuses = {}
        for s in c1:
            for k, v in s.statuses.items():
                statuses[k] = statuses.get(k, 0) + v
        if set(statuses) != {200}:
            rows.append(Row("viewport statuses", size, engine, str(statuses), "all 200", False))
    finally:
        server.stop()


def naive_plan_ms(url: str) -> str:
    """The baseline: the rules read for every call (as the API did), 10 calls, in-process."""
    code = (
        "import time, statistics\n"
        "from datetime import date\n"
        "from locations import create_app\n"
        "from locations.core.extensions import db\n"
        "from locations.permits import engine\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    times = []\n"
        "    for _ in range(20):\n"
        "        t = time.perf_counter()\n"
        "        for i in range(10):\n"
        "            rules = engine.load_rules(db.session)\n"
        "            shoot = engine.Shoot(lat=34.34, lon=134.05, prefecture_code='37', municipality_code='37201',\n"
        "                start_date=date(2027, 5, 10), end_date=date(2027, 5, 14), activities=tuple(%r))\n"
        "            engine.plan_permits(shoot, rules, today=date(2027, 1, 4))\n"
        "        times.append((time.perf_counter() - t) * 1000)\n"
        "    print(f'{statistics.median(times):.0f} ms p50')\n" % PLAN_ACTIVITIES
    )
    done = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=environment(url), capture_output=True, text=True, check=False)
    return done.stdout.strip() or "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--quick", action="store_true", help="fewer requests per measure")
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    engines = args.engines.split(",")
    started = time.time()
    print("locations HTTP benchmark: bench/http_bench.py")
    print(f"  started   {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}; usable CPUs={os.cpu_count()}")
    print(f"  code      git {subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()}")
    print(f"  uptime    {subprocess.run(['uptime'], capture_output=True, text=True, check=False).stdout.strip()}")
    rows: list[Row] = []
    pg_base = os.environ.get("BENCH_DATABASE_URL", "")
    for size in sizes:
        targets = []
        if "sqlite" in engines:
            targets.append(("SQLite", sqlite_dataset(size)))
        if "postgresql" in engines:
            if not pg_base:
                print("  PostgreSQL skipped: BENCH_DATABASE_URL is not set")
            else:
                url = postgres_dataset(pg_base, size)
                if url:
                    targets.append(("PostgreSQL", url))
        for engine, url in targets:
            print(f"  … N={size:,} on {engine}", flush=True)
            naive = {engine: naive_plan_ms(url)}
            run_one(engine, url, size, args.quick, rows, naive)
    print()
    width = max(len(r.measure) for r in rows) + 2
    print(f"{'measure':{width}}| {'N':>9} | {'engine':10} | {'measured':38} | {'target':12} | met?")
    print("-" * (width + 90))
    for r in rows:
        met = "–" if r.met is None else ("MET" if r.met else "NOT MET")
        print(f"{r.measure:{width}}| {r.size:>9,} | {r.engine:10} | {r.value:38} | {r.target:12} | {met}")
    print()
    print(f"  uptime    {subprocess.run(['uptime'], capture_output=True, text=True, check=False).stdout.strip()}")
    print(f"  finished in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
