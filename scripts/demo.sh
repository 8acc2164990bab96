#!/usr/bin/env bash
# Builds duly and runs the demo: a helpdesk policy evaluated over a week of
# tickets, the timers printed as a table (breached rows marked with '!').
set -euo pipefail
cd "$(dirname "$0")/.."
export CMAKE_BUILD_PARALLEL_LEVEL=${DULY_JOBS:-$(nproc)}
scripts/setup.sh --no-python
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build --target duly_cli
echo
echo "\$ build/bin/duly evaluate --policy examples/helpdesk/policy.yaml --events examples/helpdesk/events.jsonl --as-of 2026-11-30T17:00:00Z --format table"
build/bin/duly evaluate --policy examples/helpdesk/policy.yaml --events examples/helpdesk/events.jsonl \
  --as-of 2026-11-30T17:00:00Z --format table
