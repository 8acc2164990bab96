#!/usr/bin/env bash
# Builds duly's libFuzzer targets (fuzz/) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer into build-fuzz/, replays every saved regression
# input (fuzz/regressions/<target>/*), then fuzzes each target for a while on a
# copy of its seed corpus (fuzz/corpus/<target>/; the repository's copy is left
# alone) and prints how many inputs each target ran. Exits non-zero if any
# target crashes, hangs, leaks or breaks an invariant; the input that did it is
# kept under build-fuzz/artifacts/ (copy it to fuzz/regressions/<target>/).
#
#   scripts/fuzz.sh            20 seconds per target
#   scripts/fuzz.sh 300        five minutes per target
#   DULY_FUZZ_TARGETS="fuzz_time fuzz_calendar" scripts/fuzz.sh 60
#
# Needs clang and its runtime libraries (Debian: clang, libclang-rt-14-dev);
# installs what is missing, like scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-20}
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]" >&2
  exit 2
fi
build=build-fuzz
jobs=${DULY_JOBS:-$(nproc)}
read -r -a targets <<< "${DULY_FUZZ_TARGETS:-fuzz_condition fuzz_policy fuzz_calendar fuzz_ics fuzz_time fuzz_events fuzz_evaluate}"

step() { printf '\n==> %s\n' "$*"; }

# --- toolchain ----------------------------------------------------------------
scripts/setup.sh --no-python
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
cat > "$probe_dir/probe.cpp" <<'EOF'
#include <cstddef>
#include <cstdint>
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }
EOF
if ! clang++ -fsanitize=fuzzer,address,undefined "$probe_dir/probe.cpp" -o "$probe_dir/probe" 2> /dev/null; then
  major=$(clang++ -dumpversion | cut -d. -f1)
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "fuzz: clang cannot link libFuzzer; installing libclang-rt-$major-dev"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "libclang-rt-$major-dev"
  clang++ -fsanitize=fuzzer,address,undefined "$probe_dir/probe.cpp" -o "$probe_dir/probe"
fi

# --- build --------------------------------------------------------------------
step "Build the fuzz targets (clang, libFuzzer, ASan, UBSan) in $build"
CC=clang CXX=clang++ cmake -S fuzz -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build" -j "$jobs"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
common=(-timeout=10 -rss_limit_mb=2048 -max_len=8192)
logs="$build/logs"
artifacts="$build/artifacts"
mkdir -p "$logs" "$artifacts"

# --- regressions --------------------------------------------------------------
step "Replay fuzz/regressions"
failed=()
for t in "${targets[@]}"; do
  dir="fuzz/regressions/$t"
  [ -d "$dir" ] || continue
  files=()
  while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$dir" -type f ! -name '*.md' -print0 | sort -z)
  [ ${#files[@]} -gt 0 ] || continue
  if "$build/$t" "${common[@]}" "${files[@]}" > "$logs/$t-regressions.log" 2>&1; then
    echo "$t: ${#files[@]} regression inputs pass"
  else
    echo "$t: a regression input fails:"
    tail -n 40 "$logs/$t-regressions.log"
    failed+=("$t (regressions)")
  fi
done

# --- fuzzing ------------------------------------------------------------------
step "Fuzz each target for $seconds s on a copy of its seed corpus"
work=$(mktemp -d)
trap 'rm -rf "$probe_dir" "$work"' EXIT
declare -A executions
for t in "${targets[@]}"; do
  mkdir -p "$work/$t"
  if [ -d "fuzz/corpus/$t" ]; then cp -R "fuzz/corpus/$t/." "$work/$t/"; fi
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  log="$logs/$t.log"
  status=0
  "$build/$t" "${common[@]}" "${dict[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$artifacts/$t-" "$work/$t" > "$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  executions[$t]=${runs:-?}
  if [ "$status" -eq 0 ]; then
    echo "$t: ${executions[$t]} executions, no crash"
  else
    echo "$t: FAILED after ${executions[$t]} executions (exit $status); log $log:"
    grep -E '^(==[0-9]+==|SUMMARY|.*invariant failed|.*runtime error|artifact_prefix|Test unit written)' "$log" | head -n 20 || true
    tail -n 60 "$log"
    failed+=("$t")
  fi
done

step "Executions per target ($seconds s each)"
for t in "${targets[@]}"; do printf '  %-16s %s\n' "$t" "${executions[$t]}"; done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $artifacts)" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran without a crash"
