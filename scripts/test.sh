#!/usr/bin/env bash
# Builds duly and runs every test that guards it: C++ unit, property, CLI,
# example, limit and consumer tests; the whole C++ suite again under
# AddressSanitizer and UndefinedBehaviorSanitizer; the thread tests under
# ThreadSanitizer; short libFuzzer runs of every parser and the engine; then the
# Python package built with `pip install .` and its pytest suite. This is what CI
# runs (.ci/run).
#
#   scripts/test.sh           everything
#   scripts/test.sh --quick   the edit-test loop: one build, unit and store tests, pytest
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1
jobs=${DULY_JOBS:-$(nproc)}
export CMAKE_BUILD_PARALLEL_LEVEL=$jobs
export PIP_DISABLE_PIP_VERSION_CHECK=1

scripts/setup.sh

step() { printf '\n==> %s\n' "$*"; }

step "C++ build (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build

if [ $quick -eq 1 ]; then
  step "C++ unit tests and store tests"
  ctest --test-dir build -L 'unit|store|serve' -j "$jobs" --output-on-failure
else
  step "C++ tests: unit, property, CLI, examples, consumers"
  ctest --test-dir build -j "$jobs" --output-on-failure

  step "C++ build and tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDULY_SANITIZE=address,undefined \
    -DDULY_BUILD_BENCHMARKS=OFF
  cmake --build build-asan
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan -LE consumer -j "$jobs" --output-on-failure

  step "Threads under ThreadSanitizer: one policy shared by many threads"
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDULY_SANITIZE=thread \
    -DDULY_BUILD_BENCHMARKS=OFF -DDULY_BUILD_EXAMPLES=OFF -DDULY_BUILD_CLI=OFF
  cmake --build build-tsan --target thread_test
  TSAN_OPTIONS=halt_on_error=1 ctest --test-dir build-tsan -L threads --output-on-failure

  step "Fuzzing: regressions, then ${DULY_FUZZ_SECONDS:-30} s per target (libFuzzer, ASan, UBSan)"
  scripts/fuzz.sh "${DULY_FUZZ_SECONDS:-30}"
fi

step "Python package (the wheel pip install . builds) and pytest"
wheels=$(mktemp -d)
.venv/bin/pip wheel -q --no-deps -w "$wheels" .
.venv/bin/pip install -q --force-reinstall --no-deps "$wheels"/duly-*.whl
.venv/bin/python -m pytest -q

if [ $quick -eq 0 ]; then
  step "Python wheel in a clean virtual environment (no build tree around)"
  scripts/check_wheel.sh "$wheels"/duly-*.whl

  step "Python example: the ServiceNow study (evaluate, report, backtest, PNG plots)"
  study=$(mktemp -d)
  .venv/bin/python examples/python/servicenow_study.py "$study"
  rm -rf "$study"
fi
rm -rf "$wheels"
