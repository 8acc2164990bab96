#!/usr/bin/env bash
# Builds duly and runs the demo: a support calendar and a handful of tickets,
# with their deadlines.
set -euo pipefail
cd "$(dirname "$0")/.."
export CMAKE_BUILD_PARALLEL_LEVEL=${DULY_JOBS:-$(nproc)}
scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build --target duly_cli calendar_demo
build/bin/calendar_demo
