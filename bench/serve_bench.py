"""Benchmark of `duly serve` (docs/performance.md, "duly serve").

    python3 bench/serve_bench.py build-rel/bin/duly [--batches 50] [--seconds 10]

Starts the service on a free port of 127.0.0.1 over a new store in a temporary
folder and measures, each printed as one line:

1. durable ingest: `--batches` POST /v1/events of 2,000 new events each (JSON
   Lines, helpdesk tickets), from 2 keep-alive clients; each answer comes after
   the store's commit (synced). Events per second over the whole.
2. GET /v1/records/{id} at a steady 500 requests per second for `--seconds`
   (an open loop: each request is sent at its planned instant, from 4 client
   threads), over the records just stored: p50, p99 and max latency as the
   client sees it.
3. firing delay: on the system clock with a webhook receiver on 127.0.0.1, 20
   tickets whose first firing is due 2 to 6 s ahead; the delay from each
   firing's instant to its arrival at the receiver: median and max.

Standard library only; every loop is bounded in count and time.
"""
from __future__ import annotations

import argparse
import os
import http.client
import http.server
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "examples" / "helpdesk" / "policy.yaml"


def start(duly: str, store: Path, *extra: str) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen([duly, "serve", "--policy", str(POLICY), "--store", str(store), "--create",
                             "--listen", "127.0.0.1:0", *extra],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    port = 0
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        entry = json.loads(line)
        if entry.get("msg") == "listening":
            port = entry["port"]
            break
    if port == 0:
        proc.kill()
        sys.exit("duly serve did not start")
    # Drain the log so the service never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    return proc, port


def ticket(n: int, at: str, prio: str = "P2") -> dict:
    return {"id": f"T-{n:07d}", "at": at, "event": "created", "priority": prio, "channel": "email", "status": "new"}


def thread_cpu(pid: int) -> dict[str, float]:
    """CPU seconds (user + system) of each thread of `pid`, by thread name."""
    out: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return out


def bench_ingest(port: int, batches: int) -> tuple[float, int]:
    bodies = []
    for b in range(batches):
        lines = [json.dumps(ticket(b * 2000 + i, "2026-11-23T10:00:00Z")) for i in range(2000)]
        bodies.append(("\n".join(lines) + "\n").encode())
    results: list[int] = []
    lock = threading.Lock()

    def client(mine: list[bytes]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for body in mine:
            conn.request("POST", "/v1/events", body=body, headers={"Content-Type": "application/x-ndjson"})
            res = conn.getresponse()
            out = json.loads(res.read())
            assert res.status == 200, out
            with lock:
                results.append(out["accepted"])
        conn.close()

    threads = [threading.Thread(target=client, args=(bodies[k::2],)) for k in range(2)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    elapsed = time.perf_counter() - t0
    accepted = sum(results)
    assert accepted == batches * 2000, accepted
    return accepted / elapsed, accepted


def bench_reads(port: int, records: int, seconds: float, rate: float = 500) -> list[float]:
    total = int(seconds * rate)
    latencies: list[float] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    workers = 4

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for i in range(k, total, workers):
            planned = start + i / rate
            now = time.perf_counter()
            if planned > now:
                time.sleep(planned - now)
            rid = f"T-{(i * 7919) % records:07d}"
            t0 = time.perf_counter()
            conn.request("GET", f"/v1/records/{rid}")
            res = conn.getresponse()
            res.read()
            t1 = time.perf_counter()
            assert res.status == 200, res.status
            # From the planned instant: a late send counts against the service.
            with lock:
                latencies.append(t1 - min(t0, planned))
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    achieved = len(latencies) / (time.perf_counter() - start)
    print(f"  achieved rate: {achieved:.0f} requests/s over {len(latencies)} requests")
    return sorted(latencies)


def bench_firings(duly: str, folder: Path) -> list[float]:
    arrivals: list[tuple[float, dict]] = []
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                arrivals.append((time.time(), json.loads(body)))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        hook_port = s.getsockname()[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    proc, port = start(duly, folder / "firings.db", "--webhook", f"http://127.0.0.1:{hook_port}/hook")
    try:
        # P1 resolution is 4 h round the clock; team_lead fires at 75% (3 h):
        # tickets created 3 h minus 2..6 s ago fire 2..6 s from now.
        now = int(time.time())
        events = [ticket(900000 + i, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 3 * 3600 + 2 + i % 5)),
                         "P1") for i in range(20)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/v1/events", body="".join(json.dumps(e) + "\n" for e in events),
                     headers={"Content-Type": "application/x-ndjson"})
        res = conn.getresponse()
        assert res.status == 200, res.read()
        res.read()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with lock:
                if sum(1 for _, b in arrivals if b.get("escalation") == "team_lead") >= 20:
                    break
            time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(30)
        server.shutdown()
    delays = []
    for t, body in arrivals:
        if body.get("escalation") != "team_lead":
            continue
        fired = time.mktime(time.strptime(body["fired_at"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        delays.append(t - fired)
    assert len(delays) == 20, len(delays)
    return sorted(delays)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("duly")
    ap.add_argument("--batches", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="duly-serve-bench-") as d:
        folder = Path(d)
        proc, port = start(args.duly, folder / "s.db", "--manual-clock")
        try:
            before = thread_cpu(proc.pid)
            t0 = time.perf_counter()
            rate, n = bench_ingest(port, args.batches)
            print(f"ingest: {n} events in batches of 2000: {rate:,.0f} events/s (durable before each answer)")
            # Let the writer's evaluation of the new records finish (its CPU
            # time stops growing), so that the reads below run alone.
            last = -1.0
            for _ in range(120):
                time.sleep(0.5)
                now_cpu = thread_cpu(proc.pid).get("duly-writer", 0)
                if now_cpu - last < 0.01:
                    break
                last = now_cpu
            after = thread_cpu(proc.pid)
            writer = after.get("duly-writer", 0) - before.get("duly-writer", 0)
            total = sum(after.values()) - sum(before.values())
            print(f"  CPU: the writer thread {writer:.2f} s ({writer / n * 1e6:.1f} us per event, stores and "
                  f"evaluates), all threads {total:.2f} s, until the evaluation ended {time.perf_counter() - t0:.1f} s later; "
                  f"one idle core for the writer: about {n / writer:,.0f} events/s")
            lat = bench_reads(port, n, args.seconds)
            p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
            print(f"GET /v1/records/{{id}} at 500/s: p50 {p(0.50):.2f} ms, p99 {p(0.99):.2f} ms, "
                  f"max {lat[-1] * 1000:.2f} ms")
        finally:
            proc.terminate()
            proc.wait(30)
        delays = bench_firings(args.duly, folder)
        print(f"firing delay (instant to webhook arrival), 20 firings: median {statistics.median(delays):.3f} s, "
              f"max {delays[-1]:.3f} s")


if __name__ == "__main__":
    main()
