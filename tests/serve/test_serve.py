"""Tests of `duly serve`: real HTTP against the real binary (docs/serve.md).

Run by ctest (label "serve") as `python3 test_serve.py DULY [TestCase...]`,
where DULY is the duly binary. Standard library only. Every server listens on
127.0.0.1 on a free port it picks itself (--listen 127.0.0.1:0, read from the
"listening" log line); every loop is bounded in count and time.

What is checked:
- auth (401 without or with a wrong token; /healthz open), each status code
  (200, 400, 401, 404, 409, 413, 415, 503), every body kind (JSON Lines, a
  JSON array, CSV) and duplicates, rejected rows with their line;
- the ingest path under the fuzz corpora and mutations of them: never a crash,
  only 200/400/413/415, and the service still healthy;
- the manual clock (forward fires, backwards is 409), outbox paging, each
  firing once and exactly those of `duly evaluate`;
- mapping files: the ERPNext-style and helpdesk examples of examples/serve/;
- webhook delivery to a receiver that fails, then is down for a while:
  everything arrives, in cursor order, signed (HMAC-SHA256 checked here);
- kill -9 during ingest (nothing acknowledged is lost) and during delivery (no
  key made twice, delivery resumes); SIGTERM drains an in-flight request and
  exits 0; a concurrent `duly run` on the same store;
- metrics in the Prometheus text format and JSON log lines on stderr.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import http.server
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

DULY = ""
ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "examples" / "helpdesk" / "policy.yaml"
EVENTS = ROOT / "examples" / "helpdesk" / "events.jsonl"
EXAMPLES = ROOT / "examples" / "serve"
FUZZ = ROOT / "fuzz" / "corpus"
LATER = "2026-12-05T00:00:00Z"


def read_events() -> list[dict]:
    return [json.loads(l) for l in EVENTS.read_text().splitlines() if l.strip()]


def jsonl(events: list[dict]) -> bytes:
    return "".join(json.dumps(e) + "\n" for e in events).encode()


def firing_id(line: dict) -> tuple:
    return (line["id"], line["target"], line["escalation"], line["cycle"], line["point"])


def expected_firings(policy: Path, events_file: Path, as_of: str) -> list[tuple]:
    out = subprocess.run([DULY, "evaluate", "--policy", str(policy), "--events", str(events_file), "--as-of", as_of],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    return sorted(firing_id(l) for l in map(json.loads, out.splitlines()) if l["kind"] == "escalation")


class Service:
    """One `duly serve` process on a free port of 127.0.0.1."""

    def __init__(self, store: Path, *extra: str, policy: Path = POLICY, token: str | None = None,
                 manual: bool = True, start_timeout: float = 20):
        self.token = token
        args = [DULY, "serve", "--policy", str(policy), "--store", str(store), "--create",
                "--listen", "127.0.0.1:0", *extra]
        if manual:
            args.append("--manual-clock")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.port = 0
        self._reader = threading.Thread(target=self._read_log, daemon=True)
        self._reader.start()
        if not self._ready.wait(start_timeout) or self.port == 0:
            self.proc.kill()
            self.proc.wait(10)
            raise AssertionError("duly serve did not start:\n" + "\n".join(self.lines))

    def _read_log(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("msg") == "listening":
                self.port = entry["port"]
                self._ready.set()
        self._ready.set()

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict | None = None, auth: bool = True, timeout: float = 30):
        h = dict(headers or {})
        if auth and self.token is not None:
            h.setdefault("Authorization", f"Bearer {self.token}")
        if isinstance(body, str):
            body = body.encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            res = conn.getresponse()
            data = res.read()
            return res.status, dict(res.getheaders()), data
        finally:
            conn.close()

    def json(self, method: str, path: str, body=None, headers=None, expect: int = 200):
        status, _, data = self.request(method, path, body, headers)
        assert status == expect, (status, data, "\n".join(self.lines[-20:]))
        return json.loads(data)

    def post_events(self, events: list[dict], expect: int = 200):
        return self.json("POST", "/v1/events", jsonl(events), {"Content-Type": "application/x-ndjson"}, expect)

    def clock(self, as_of: str, expect: int = 200):
        return self.json("POST", "/v1/clock", json.dumps({"as_of": as_of}), {"Content-Type": "application/json"},
                         expect)

    def firings(self, after: int = 0, limit: int = 1000) -> list[dict]:
        out: list[dict] = []
        for _ in range(1000):
            page = self.json("GET", f"/v1/firings?after={after}&limit={limit}")["firings"]
            if not page:
                return out
            out += page
            after = page[-1]["cursor"]
        raise AssertionError("the outbox did not end within 1000 pages")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout)
        self._reader.join(10)
        self.proc.stderr.close()
        return rc

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)
        self._reader.join(10)
        self.proc.stderr.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """A webhook receiver on 127.0.0.1 that fails the first `fail` calls, can
    be taken down and brought back on the same port, and keeps what it got."""

    def __init__(self, fail: int = 0, delay: float = 0.0):
        self.port = free_port()
        self.fail = fail
        self.delay = delay
        self.got: list[tuple[str, bytes, str, str]] = []  # key, body, signature, cursor
        self.calls = 0
        self.lock = threading.Lock()
        self.server: http.server.ThreadingHTTPServer | None = None
        self.up()

    def up(self) -> None:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.calls += 1
                    failing = receiver.fail > 0
                    if failing:
                        receiver.fail -= 1
                    else:
                        receiver.got.append((self.headers.get("Duly-Key", ""), body,
                                             self.headers.get("Duly-Signature", ""),
                                             self.headers.get("Duly-Cursor", "")))
                self.send_response(500 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        for _ in range(50):
            try:
                self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
                break
            except OSError:
                time.sleep(0.1)
        assert self.server is not None
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def wait_for(self, n: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.got) >= n:
                    return
            time.sleep(0.05)
        raise AssertionError(f"received {len(self.got)} of {n} deliveries in {timeout} s")


class Base(unittest.TestCase):
    def setUp(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="duly-serve-")
        self.dir = Path(self._dir.name)
        self.store = self.dir / "s.db"
        self.services: list[Service] = []

    def tearDown(self) -> None:
        for s in self.services:
            if s.proc.poll() is None:
                s.kill()
        self._dir.cleanup()

    def serve(self, *extra: str, **kw) -> Service:
        s = Service(self.store, *extra, **kw)
        self.services.append(s)
        return s


class Http(Base):
    def test_auth_and_status_codes(self) -> None:
        token_file = self.dir / "token"
        token_file.write_text("s3cret-token\n")
        s = self.serve("--token-file", str(token_file), token="s3cret-token")
        self.assertEqual(s.request("GET", "/healthz", auth=False)[0], 200)
        for path in ["/v1/firings", "/metrics", "/v1/records/HD-1001"]:
            status, headers, body = s.request("GET", path, auth=False)
            self.assertEqual(status, 401, path)
            self.assertEqual(json.loads(body)["code"], "unauthorized")
            self.assertIn("Bearer", headers.get("WWW-Authenticate", ""))
            self.assertEqual(s.request("GET", path, headers={"Authorization": "Bearer wrong"}, auth=False)[0], 401)
            self.assertEqual(s.request("GET", path, headers={"Authorization": "s3cret-token"}, auth=False)[0], 401)
        self.assertEqual(s.request("POST", "/v1/events", b"", auth=False)[0], 401)
        self.assertEqual(s.request("GET", "/v1/firings")[0], 200)
        # 404: an unknown endpoint and an unknown record, as JSON errors.
        status, _, body = s.request("GET", "/v1/nothing")
        self.assertEqual((status, json.loads(body)["code"]), (404, "not_found"))
        status, _, body = s.request("GET", "/v1/records/NOPE")
        self.assertEqual((status, json.loads(body)["code"]), (404, "unknown_record"))
        # 415, 400 for bad queries.
        status, _, body = s.request("POST", "/v1/events", b"x", {"Content-Type": "application/xml"})
        self.assertEqual((status, json.loads(body)["code"]), (415, "unsupported_media_type"))
        for q in ["after=-1", "after=abc", "limit=0", "limit=100000", "after=1.5"]:
            status, _, body = s.request("GET", "/v1/firings?" + q)
            self.assertEqual((status, json.loads(body)["code"]), (400, "bad_query"), q)
        self.assertEqual(s.stop(), 0)

    def test_a_busy_store_is_503_with_retry_after_and_nothing_lost(self) -> None:
        s = self.serve("--wait", "0.2")
        s.post_events(read_events()[:2])
        # Another writer holds the store's write lock for longer than --wait.
        holder = sqlite3.connect(self.store, timeout=5, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            status, headers, body = s.request("POST", "/v1/events", jsonl(read_events()[2:4]),
                                              {"Content-Type": "application/x-ndjson"})
            self.assertEqual(status, 503, body)
            self.assertEqual(headers.get("Retry-After"), "1")
            self.assertEqual(json.loads(body)["code"], "busy")
            self.assertEqual(s.request("GET", "/healthz")[0], 200)  # reads do not wait for writers
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        # The retry the 503 asked for is taken.
        out = s.post_events(read_events()[2:4])
        self.assertEqual(out["accepted"] + out["duplicates"], 2)
        self.assertIn("duly_busy_total 1\n", s.request("GET", "/metrics")[2].decode())
        self.assertEqual(s.stop(), 0)

    def test_every_body_kind_duplicates_and_rejections(self) -> None:
        s = self.serve()
        events = read_events()
        first, rest = events[:5], events[5:]
        out = s.post_events(first)
        self.assertEqual(out, {"accepted": 5, "duplicates": 0, "rejected": []})
        # A JSON array, with a duplicate and a bad element (its position is its line).
        array = [first[0], rest[0], {"id": "X", "at": "2026-13-01", "event": "created"}, rest[1]]
        out = s.json("POST", "/v1/events", json.dumps(array), {"Content-Type": "application/json"})
        self.assertEqual((out["accepted"], out["duplicates"]), (2, 1))
        self.assertEqual([r["line"] for r in out["rejected"]], [3])
        self.assertIn("at:", out["rejected"][0]["reason"])
        # CSV.
        csv = "id,at,event,priority,channel,status\nC-1,2026-11-23T10:00:00Z,created,P1,phone,new\n" \
              "C-2,not-an-instant,created,P1,phone,new\n"
        out = s.json("POST", "/v1/events", csv, {"Content-Type": "text/csv; charset=utf-8"})
        self.assertEqual((out["accepted"], out["duplicates"], [r["line"] for r in out["rejected"]]), (1, 0, [3]))
        # JSON Lines with a bad line, then everything again: all duplicates.
        body = jsonl(rest[2:]) + b"{not json\n"
        out = s.json("POST", "/v1/events", body, {"Content-Type": "application/x-ndjson"})
        # (the example's events hold one bad row of their own)
        self.assertEqual(out["accepted"], len(rest) - 3)
        self.assertEqual(len(out["rejected"]), 2)
        self.assertEqual(out["rejected"][-1]["line"], len(rest) - 1)
        self.assertIn("invalid JSON", out["rejected"][-1]["reason"])
        out = s.post_events(events)
        self.assertEqual((out["accepted"], out["duplicates"], len(out["rejected"])), (0, len(events) - 1, 1))
        # An empty body is zero events.
        self.assertEqual(s.post_events([]), {"accepted": 0, "duplicates": 0, "rejected": []})
        # GET /v1/records/{id}: the timer lines of `duly evaluate` at the clock.
        s.clock(LATER)
        rec = s.json("GET", "/v1/records/HD-1001")
        want = subprocess.run([DULY, "evaluate", "--policy", str(POLICY), "--events", str(EVENTS),
                               "--as-of", LATER], capture_output=True, text=True, timeout=60, check=True).stdout
        want_timers = [json.loads(l) for l in want.splitlines()
                       if json.loads(l)["kind"] == "timer" and json.loads(l)["id"] == "HD-1001"]
        self.assertEqual(rec["timers"], want_timers)
        self.assertEqual(rec["as_of"], LATER)
        self.assertEqual(s.stop(), 0)

    def test_declared_attributes_reject_values_of_the_wrong_type(self) -> None:
        # The policy's attributes: section judges what comes in over HTTP as
        # `duly run` judges a file: a value of the wrong type is a rejected row.
        policy = self.dir / "declared.yaml"
        policy.write_text(POLICY.read_text() + "\nattributes:\n  priority: {type: text}\n  count: {type: number}\n"
                          "  actor: {type: text}\n  channel: {type: text}\n  status: {type: text}\n")
        s = self.serve(policy=policy)
        rows = [{"id": "D-1", "at": "2026-11-23T10:00:00Z", "event": "created", "priority": "P1", "count": 2},
                {"id": "D-2", "at": "2026-11-23T10:00:00Z", "event": "created", "priority": 1}]
        out = s.post_events(rows)
        self.assertEqual(out["accepted"], 1)
        self.assertEqual([r["line"] for r in out["rejected"]], [2])
        self.assertIn("attribute 'priority': declared text, got 1", out["rejected"][0]["reason"])
        csv = "id,at,event,count\nD-3,2026-11-23T10:00:00Z,created,many\n"
        out = s.json("POST", "/v1/events", csv, {"Content-Type": "text/csv"})
        self.assertEqual([r["line"] for r in out["rejected"]], [2])
        self.assertIn("attribute 'count'", out["rejected"][0]["reason"])
        self.assertEqual(s.stop(), 0)

    def test_unreadable_bodies_store_nothing(self) -> None:
        s = self.serve("--max-body-bytes", "100000", "--max-line-bytes", "2000", "--max-rows", "50")
        ok = jsonl(read_events()[:1])
        cases = [
            (b"[" + ok, "application/json", 400, "bad_json"),
            (b'{"a": 1}', "application/json", 200, None),  # one object is one JSON Lines row (rejected)
            (b"[1, 2", "application/json", 400, "bad_json"),
            (b"name,when\nx,y\n", "text/csv", 400, "bad_csv"),
            (ok + b"\xff\xfe\n", "application/x-ndjson", 400, "not_utf8"),
            (b'{"id":"A","at":"2026-11-23T10:00:00Z","event":"created","note":"' + b"x" * 3000 + b'"}\n',
             "application/x-ndjson", 413, "line_too_long"),
            (ok * 51, "application/x-ndjson", 413, "too_many_rows"),
            (json.dumps([read_events()[0]] * 51).encode(), "application/json", 413, "too_many_rows"),
            (ok + b" " * 100001, "application/x-ndjson", 413, None),
        ]
        for body, ctype, status, code in cases:
            got, _, data = s.request("POST", "/v1/events", body, {"Content-Type": ctype})
            self.assertEqual(got, status, (body[:60], data))
            if code:
                self.assertEqual(json.loads(data)["code"], code)
                self.assertTrue(json.loads(data)["message"])
        self.assertEqual(s.firings(), [])
        s.stop()
        con = sqlite3.connect(self.store)
        self.assertEqual(con.execute("SELECT count(*) FROM events").fetchone()[0], 0)
        con.close()

    def test_fuzz_corpora_never_stop_the_service(self) -> None:
        s = self.serve("--max-body-bytes", "200000")
        rng = random.Random(15)
        bodies = [p.read_bytes() for d in sorted(FUZZ.iterdir()) for p in sorted(d.iterdir()) if p.is_file()]
        self.assertGreater(len(bodies), 10)
        types = ["application/x-ndjson", "application/json", "text/csv", None]
        deadline = time.monotonic() + 60
        sent = 0
        for i in range(400):
            if time.monotonic() > deadline:
                break
            body = bytearray(rng.choice(bodies))
            for _ in range(rng.randrange(4)):  # a few byte flips, cuts and splices
                op = rng.randrange(3)
                if op == 0 and body:
                    body[rng.randrange(len(body))] = rng.randrange(256)
                elif op == 1 and body:
                    del body[rng.randrange(len(body)):]
                else:
                    body += rng.choice(bodies)[: rng.randrange(200)]
            ctype = types[i % len(types)]
            headers = {"Content-Type": ctype} if ctype else {}
            status, _, data = s.request("POST", "/v1/events", bytes(body), headers)
            self.assertIn(status, (200, 400, 413, 415), data)
            json.loads(data)
            path = "/v1/ingest/" + rng.choice(["x", "erp"])
            self.assertIn(s.request("POST", path, bytes(body))[0], (404,))
            sent += 1
        self.assertGreater(sent, 50)
        self.assertEqual(s.request("GET", "/healthz")[0], 200)
        self.assertEqual(s.stop(), 0)


class Clock(Base):
    def test_manual_clock_fires_each_firing_once_and_pages(self) -> None:
        s = self.serve()
        self.assertEqual(s.clock("2026-11-20T00:00:00Z")["fired"], 0)
        s.post_events(read_events())
        self.assertEqual(s.firings(), [])  # nothing due yet at the clock
        status, _, body = s.request("POST", "/v1/clock", json.dumps({"as_of": "2026-11-19T00:00:00Z"}))
        self.assertEqual((status, json.loads(body)["code"]), (409, "clock_backwards"))
        self.assertEqual(s.request("POST", "/v1/clock", b"{}")[0], 400)
        self.assertEqual(s.request("POST", "/v1/clock", json.dumps({"as_of": "tomorrow"}))[0], 400)
        steps = ["2026-11-24T12:00:00Z", "2026-11-26T00:00:00Z", "2026-11-28T00:00:00Z", LATER]
        fired = 0
        for t in steps:
            fired += s.clock(t)["fired"]
            self.assertEqual(s.json("GET", "/v1/clock"), {"as_of": t, "manual": True})
        all_lines = s.firings()
        self.assertEqual(len(all_lines), fired)
        self.assertEqual(sorted(firing_id(l) for l in all_lines), expected_firings(POLICY, EVENTS, LATER))
        keys = [l["key"] for l in all_lines]
        self.assertEqual(len(set(keys)), len(keys))
        cursors = [l["cursor"] for l in all_lines]
        self.assertEqual(cursors, sorted(cursors))
        # Paging: limit 2 gives the same sequence; no/empty after = from the start.
        paged = s.firings(limit=2)
        self.assertEqual(paged, all_lines)
        self.assertEqual(s.json("GET", "/v1/firings?after=&limit=1")["firings"], all_lines[:1])
        self.assertEqual(s.json("GET", "/v1/firings")["firings"], all_lines[:100])
        page = s.json("GET", f"/v1/firings?after={cursors[0]}&limit=1")
        self.assertEqual(page["firings"], all_lines[1:2])
        self.assertEqual(page["next_after"], cursors[1])
        # The same clock again makes nothing new.
        self.assertEqual(s.clock(LATER)["fired"], 0)
        self.assertEqual(s.stop(), 0)
        # A restart keeps the clock where the store is and the outbox as it was.
        s2 = self.serve()
        self.assertEqual(s2.json("GET", "/v1/clock")["as_of"], LATER)
        self.assertEqual(s2.firings(), all_lines)
        self.assertEqual(s2.stop(), 0)

    def test_system_clock_schedules_itself(self) -> None:
        # A P1 ticket created 1 h 2 s ago with a 1 h first-response goal... the
        # helpdesk policy's escalations are on resolution (4 h for P1): an event
        # 4 h - 3 s ago makes team_lead (75%) long past and support_manager
        # (due + 2h) in the future; the record's wake-up is then due + 2h.
        now = int(time.time())
        created = now - 4 * 3600 - 2 * 3600 + 3  # support_manager fires 3 s from now
        s = self.serve(manual=False)
        status, _, body = s.request("POST", "/v1/clock", json.dumps({"as_of": LATER}))
        self.assertEqual((status, json.loads(body)["code"]), (409, "clock_not_manual"))
        s.post_events([{"id": "SYS-1", "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(created)),
                        "event": "created", "priority": "P1", "channel": "phone", "status": "new"}])
        deadline = time.monotonic() + 15
        names: list[str] = []
        while time.monotonic() < deadline:
            names = [l["escalation"] for l in s.firings()]
            if "support_manager" in names:
                break
            time.sleep(0.1)
        self.assertIn("team_lead", names)
        self.assertIn("support_manager", names)
        made = [json.loads(l) for l in s.lines if '"msg":"firing"' in l]
        self.assertTrue(any("support_manager" in m["key"] for m in made))
        self.assertEqual(s.stop(), 0)


class Mapping(Base):
    def test_examples_map_erpnext_and_helpdesk_payloads(self) -> None:
        s = self.serve("--mapping", str(EXAMPLES / "mapping.yaml"), policy=EXAMPLES / "policy.yaml")
        s.clock("2026-11-20T00:00:00Z")
        for name, source in [("erpnext_sales_order.json", "erpnext_sales_order"),
                             ("helpdesk_ticket.json", "helpdesk_ticket")]:
            payload = (EXAMPLES / "payloads" / name).read_text()
            out = s.json("POST", f"/v1/ingest/{source}", payload, {"Content-Type": "application/json"})
            self.assertEqual((out["accepted"], out["rejected"]), (1, []), name)
            out = s.json("POST", f"/v1/ingest/{source}", payload, {"Content-Type": "application/json"})
            self.assertEqual(out["duplicates"], 1)
        # Known before its first event, with no timers yet.
        self.assertEqual(s.json("GET", "/v1/records/SAL-ORD-2026-00042")["timers"], [])
        s.clock("2026-11-24T00:00:00Z")
        rec = s.json("GET", "/v1/records/SAL-ORD-2026-00042")
        started = [t for t in rec["timers"] if t["state"] != "pending"]
        self.assertEqual([t["target"] for t in started], ["delivery"])
        # 2026-11-23 09:15:00 in Europe/Berlin is 08:15 UTC.
        self.assertEqual(started[0]["started"], "2026-11-23T08:15:00Z")
        rec = s.json("GET", "/v1/records/31001")
        by_target = {t["target"]: t for t in rec["timers"]}
        self.assertEqual(by_target["first_response"]["started"], "2026-11-23T09:15:00Z")
        self.assertEqual(by_target["resolution"]["state"], "running")
        self.assertEqual(by_target["delivery"]["state"], "pending")
        # A payload without the id is a rejected row; an unknown source is 404;
        # an array maps each element.
        out = s.json("POST", "/v1/ingest/helpdesk_ticket", json.dumps({"ticket": {"state": "new"}}))
        self.assertEqual(out["accepted"], 0)
        self.assertIn("id: /ticket/number is not in the payload", out["rejected"][0]["reason"])
        status, _, body = s.request("POST", "/v1/ingest/nope", b"{}")
        self.assertEqual((status, json.loads(body)["code"]), (404, "unknown_source"))
        self.assertEqual(s.request("POST", "/v1/ingest/helpdesk_ticket", b"[1,")[0], 400)
        self.assertEqual(s.stop(), 0)

    def test_bad_mapping_files_are_refused_with_positions(self) -> None:
        bad = self.dir / "bad.yaml"
        bad.write_text("sources:\n  erp:\n    id: doc/name\n    at: /at\n")
        r = subprocess.run([DULY, "serve", "--policy", str(POLICY), "--store", str(self.store), "--create",
                            "--mapping", str(bad), "--listen", "127.0.0.1:0"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{bad}:3:9: sources.erp.id: expected a JSON Pointer such as '/doc/name'", r.stderr)
        self.assertIn("sources.erp: missing 'event'", r.stderr)


class Webhook(Base):
    def test_a_receiver_that_fails_then_is_down_gets_everything_signed(self) -> None:
        secret_file = self.dir / "secret"
        secret_file.write_text("whsec-123\n")
        rcv = Receiver(fail=3)
        s = self.serve("--webhook", f"http://127.0.0.1:{rcv.port}/hook", "--webhook-secret-file", str(secret_file),
                       "--retry-min", "0.05", "--retry-max", "0.5")
        s.post_events(read_events())
        s.clock("2026-11-26T00:00:00Z")
        first = s.firings()
        self.assertTrue(first)
        rcv.wait_for(len(first), 30)
        rcv.down()  # down for a while: firings made meanwhile wait
        s.clock(LATER)
        all_lines = s.firings()
        self.assertGreater(len(all_lines), len(first))
        time.sleep(2)
        rcv.up()
        rcv.wait_for(len(all_lines), 30)
        got = rcv.got[: len(all_lines)]
        self.assertEqual([json.loads(g[1]) for g in got], all_lines)  # in cursor order, as the outbox
        for key, body, sig, cursor in got:
            self.assertEqual(key, json.loads(body)["key"])
            self.assertEqual(int(cursor), json.loads(body)["cursor"])
            want = "sha256=" + hmac.new(b"whsec-123", body, hashlib.sha256).hexdigest()
            self.assertTrue(hmac.compare_digest(sig, want))
        metrics = s.request("GET", "/metrics")[2].decode()
        self.assertIn(f"duly_firings_delivered_total {len(all_lines)}\n", metrics)
        failures = int(next(l.split()[1] for l in metrics.splitlines()
                            if l.startswith("duly_delivery_failures_total ")))
        self.assertGreaterEqual(failures, 4)  # three 500s and at least one refused connection
        self.assertEqual(s.stop(), 0)
        # The position is in the store: a restart delivers nothing again.
        rcv.got.clear()
        s2 = self.serve("--webhook", f"http://127.0.0.1:{rcv.port}/hook")
        time.sleep(1.5)
        self.assertEqual(rcv.got, [])
        self.assertEqual(s2.stop(), 0)
        rcv.down()


class Crashes(Base):
    def test_kill_during_ingest_loses_nothing_acknowledged(self) -> None:
        rng = random.Random(7)
        for round_ in range(3):
            s = self.serve()
            acked: list[dict] = []
            stop = threading.Event()

            def client(n: int) -> None:
                for b in range(200):
                    if stop.is_set():
                        return
                    batch = [{"id": f"K{round_}-{n}-{b}-{i}", "at": "2026-11-23T10:00:00Z", "event": "created",
                              "priority": "P2", "channel": "email", "status": "new"} for i in range(50)]
                    try:
                        status, _, _ = s.request("POST", "/v1/events", jsonl(batch),
                                                 {"Content-Type": "application/x-ndjson"}, timeout=10)
                    except (OSError, http.client.HTTPException):
                        return
                    if status == 200:
                        acked.extend(batch)

            threads = [threading.Thread(target=client, args=(n,)) for n in range(2)]
            for t in threads:
                t.start()
            time.sleep(0.3 + rng.random() * 0.7)
            s.kill()
            stop.set()
            for t in threads:
                t.join(30)
            con = sqlite3.connect(self.store)
            ids = {r[0] for r in con.execute("SELECT id FROM events")}
            con.close()
            missing = [e["id"] for e in acked if e["id"] not in ids]
            self.assertEqual(missing, [], f"round {round_}: acknowledged events lost")
        self.assertGreater(len(ids), 0)

    def test_kill_during_delivery_resumes_and_makes_no_key_twice(self) -> None:
        rcv = Receiver(delay=0.15)
        hook = ("--webhook", f"http://127.0.0.1:{rcv.port}/hook", "--retry-min", "0.05", "--retry-max", "0.2")
        s = self.serve(*hook)
        s.post_events(read_events())
        s.clock(LATER)
        lines = s.firings()
        self.assertGreaterEqual(len(lines), 4)
        rcv.wait_for(2, 30)
        s.kill()  # mid-delivery
        s2 = self.serve(*hook)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and {g[0] for g in rcv.got} != {l["key"] for l in lines}:
            time.sleep(0.05)
        time.sleep(0.5)  # nothing more should come
        delivered = [g[0] for g in rcv.got]
        self.assertEqual(set(delivered), {l["key"] for l in lines})  # at least once each
        # Repeats: only what was in flight at the kill, or delivered while its
        # position was still queued for the writer (the position is kept through
        # the writer, coalesced), so a few lines at most, each at most twice.
        self.assertLessEqual(max(delivered.count(k) for k in set(delivered)), 2)
        self.assertLessEqual(len(delivered), len(lines) + 3)
        s2.clock(LATER)
        self.assertEqual(s2.firings(), lines)  # no key made twice
        self.assertEqual(s2.stop(), 0)
        rcv.down()


class Signals(Base):
    def test_sigterm_drains_an_in_flight_request_and_exits_0(self) -> None:
        s = self.serve()
        big = jsonl([{"id": f"B-{i}", "at": "2026-11-23T10:00:00Z", "event": "created", "priority": "P3",
                      "channel": "email", "status": "new"} for i in range(20000)])
        # Half the request is sent, then SIGTERM, then the rest: the request is
        # in flight when the signal comes, and is answered in full.
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=30)
        sock.sendall(b"POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\n"
                     b"Content-Length: " + str(len(big)).encode() + b"\r\nConnection: close\r\n\r\n")
        sock.sendall(big[: len(big) // 2])
        time.sleep(0.2)
        s.proc.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        sock.sendall(big[len(big) // 2:])
        answer = b""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        sock.close()
        self.assertTrue(answer.startswith(b"HTTP/1.1 200"), answer[:200])
        self.assertEqual(json.loads(answer.split(b"\r\n\r\n", 1)[1])["accepted"], 20000)
        self.assertEqual(s.stop(), 0)
        msgs = [json.loads(l).get("msg") for l in s.lines if l.startswith("{")]
        self.assertIn("stopping", msgs)
        self.assertEqual(msgs[-1], "stopped")
        for l in s.lines:  # every log line is one JSON object
            self.assertIsInstance(json.loads(l), dict, l)
        # A new connection after the signal is refused: the service is gone.
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", s.port), timeout=5).close()


class Concurrency(Base):
    def test_a_concurrent_duly_run_on_the_same_store(self) -> None:
        s = self.serve("--wait", "10")
        s.clock("2026-11-20T00:00:00Z")
        events = read_events()
        half = len(events) // 2
        extra = self.dir / "second.jsonl"
        extra.write_bytes(jsonl(events[half:]))
        run = subprocess.Popen([DULY, "run", "--policy", str(POLICY), "--store", str(self.store), "--events",
                                str(extra), "--as-of", "2026-11-20T00:00:00Z", "--wait", "10", "--max-ahead", "none"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out = s.post_events(events[:half])
        self.assertEqual(out["accepted"], half)
        stdout, stderr = run.communicate(timeout=60)
        self.assertEqual(run.returncode, 0, stderr)
        s.clock(LATER)
        lines = s.firings()
        self.assertEqual(sorted(firing_id(l) for l in lines), expected_firings(POLICY, EVENTS, LATER))
        self.assertEqual(s.stop(), 0)
        # And back: `duly run` continues on the store the service left.
        nothing = self.dir / "nothing.jsonl"
        nothing.write_text('{"id":"HD-1001","at":"2026-11-23T09:15:00-05:00","event":"created","priority":"P2",'
                           '"channel":"email","status":"new"}\n')  # a re-delivery: changes nothing
        r = subprocess.run([DULY, "run", "--policy", str(POLICY), "--store", str(self.store), "--events",
                            str(nothing), "--as-of", LATER, "--max-ahead", "none"], capture_output=True, text=True, timeout=60)
        self.assertEqual((r.returncode, r.stdout), (0, ""), r.stderr)


class Metrics(Base):
    def test_metrics_are_prometheus_text(self) -> None:
        s = self.serve()
        s.post_events(read_events()[:3] + [{"id": "", "at": "x", "event": ""}])
        s.clock(LATER)
        status, headers, body = s.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        text = body.decode()
        for name in ["duly_events_accepted_total 3", "duly_events_rejected_total 1", "duly_records ",
                     "duly_firings_made_total ", "duly_delivery_failures_total 0",
                     "duly_request_seconds_bucket{le=\"+Inf\"} ", "duly_request_seconds_count "]:
            self.assertIn("\n" + name, "\n" + text)
        for line in text.splitlines():
            self.assertTrue(line.startswith("# HELP ") or line.startswith("# TYPE ") or
                            len(line.split(" ")) == 2, line)
        self.assertEqual(s.stop(), 0)


def main() -> None:
    global DULY
    DULY = sys.argv[1]
    unittest.main(argv=[sys.argv[0], *sys.argv[2:]], verbosity=2)


if __name__ == "__main__":
    main()
