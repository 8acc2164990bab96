#!/bin/sh
# duly serve end to end with curl (docs/serve.md): start the service on a free
# port of 127.0.0.1 with a manual clock, a bearer token and the mapping of
# this folder; post events in each body kind and two native webhook payloads;
# move the clock; read a record, the outbox and the metrics; stop it with
# SIGTERM. Checks its own output and exits non-zero on any difference.
#
#   sh examples/serve/demo.sh build/bin/duly
set -eu
duly=${1:-duly}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "demo: $*" >&2; [ -f "$work/log" ] && tail -20 "$work/log" >&2; exit 1; }

echo "demo-token" > "$work/token"
# The log exists before the service starts: the loop below reads it at once,
# possibly before the background shell has opened it for the service.
: > "$work/log"
"$duly" serve --policy "$here/policy.yaml" --store "$work/demo.db" --create --mapping "$here/mapping.yaml" \
  --token-file "$work/token" --manual-clock --listen 127.0.0.1:0 2> "$work/log" &
pid=$!
port=
i=0
while [ -z "$port" ] && [ $i -lt 100 ]; do   # at most 10 s
  port=$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$work/log")
  [ -n "$port" ] || { sleep 0.1; i=$((i + 1)); }
done
[ -n "$port" ] || fail "the service did not start"
url="http://127.0.0.1:$port"
auth="Authorization: Bearer demo-token"
say() { printf '\n$ %s\n' "$*"; }

say curl $url/healthz
curl -sS --max-time 10 "$url/healthz" | tee "$work/out"
grep -q '"status":"ok"' "$work/out" || fail "healthz"

say "curl $url/v1/firings   # without the token"
code=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' "$url/v1/firings")
echo "$code"
[ "$code" = 401 ] || fail "expected 401 without the token, got $code"

say "curl -X POST $url/v1/clock -d '{\"as_of\": \"2026-11-23T00:00:00Z\"}'"
curl -sS --max-time 10 -H "$auth" -X POST "$url/v1/clock" -d '{"as_of": "2026-11-23T00:00:00Z"}' | tee "$work/out"

say "curl -X POST $url/v1/events -H 'Content-Type: application/x-ndjson' --data-binary @-"
printf '%s\n' \
  '{"id":"HD-1","at":"2026-11-23T08:00:00Z","event":"created","kind":"ticket","priority":"1 high"}' \
  '{"id":"HD-2","at":"2026-11-23T08:30:00Z","event":"created","kind":"ticket","priority":"2 normal"}' \
  '{"id":"HD-3","at":"not a time","event":"created"}' |
  curl -sS --max-time 10 -H "$auth" -H 'Content-Type: application/x-ndjson' --data-binary @- "$url/v1/events" |
  tee "$work/out"
grep -q '"accepted":2,"duplicates":0,"rejected":\[{"line":3,' "$work/out" || fail "JSON Lines ingest"

say "curl -X POST $url/v1/events -H 'Content-Type: text/csv' --data-binary @-   # HD-1 again: a duplicate"
printf 'id,at,event,kind,priority\nHD-1,2026-11-23T08:00:00Z,created,ticket,1 high\nHD-2,2026-11-23T08:40:00Z,replied,,\n' |
  curl -sS --max-time 10 -H "$auth" -H 'Content-Type: text/csv' --data-binary @- "$url/v1/events" | tee "$work/out"
grep -q '"accepted":1,"duplicates":1,"rejected":\[\]' "$work/out" || fail "CSV ingest"

say "curl -X POST $url/v1/ingest/erpnext_sales_order --data-binary @payloads/erpnext_sales_order.json"
curl -sS --max-time 10 -H "$auth" -H 'Content-Type: application/json' \
  --data-binary "@$here/payloads/erpnext_sales_order.json" "$url/v1/ingest/erpnext_sales_order" | tee "$work/out"
grep -q '"accepted":1' "$work/out" || fail "ERPNext payload"
say "curl -X POST $url/v1/ingest/helpdesk_ticket --data-binary @payloads/helpdesk_ticket.json"
curl -sS --max-time 10 -H "$auth" -H 'Content-Type: application/json' \
  --data-binary "@$here/payloads/helpdesk_ticket.json" "$url/v1/ingest/helpdesk_ticket" | tee "$work/out"
grep -q '"accepted":1' "$work/out" || fail "helpdesk payload"

say "curl -X POST $url/v1/clock -d '{\"as_of\": \"2026-11-30T00:00:00Z\"}'"
curl -sS --max-time 30 -H "$auth" -X POST "$url/v1/clock" -d '{"as_of": "2026-11-30T00:00:00Z"}' | tee "$work/out"

say "curl $url/v1/records/SAL-ORD-2026-00042"
curl -sS --max-time 10 -H "$auth" "$url/v1/records/SAL-ORD-2026-00042" | tee "$work/out"
grep -q '"target":"delivery","cycle":1,"state":"breached"' "$work/out" || fail "the sales order's delivery timer"

say "curl '$url/v1/firings?after=0&limit=2'"
curl -sS --max-time 10 -H "$auth" "$url/v1/firings?after=0&limit=2" | tee "$work/out"
grep -q '"escalation":"response_warning"' "$work/out" || fail "the first firings"
say "curl '$url/v1/firings?after=2'"
curl -sS --max-time 10 -H "$auth" "$url/v1/firings?after=2" | tee "$work/out"
grep -q '"escalation":"delivery_late","cycle":1,"point":0,"fired_at":"2026-11-26T08:15:00Z"' "$work/out" ||
  fail "the sales order's delivery_late firing"

say "curl $url/metrics | grep duly_events"
curl -sS --max-time 10 -H "$auth" "$url/metrics" | grep '^duly_events' | tee "$work/out"
grep -q '^duly_events_accepted_total 5$' "$work/out" || fail "metrics"

say "kill -TERM $pid"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ $rc -eq 0 ] || fail "duly serve exited $rc after SIGTERM"
grep -q '"msg":"stopped"' "$work/log" || fail "no stopped log line"
echo "exit $rc"
echo
echo "demo: ok"
