#!/usr/bin/env bash
# Installs what duly needs on a fresh Debian machine: the C++ libraries and tools
# from Debian's archive, and a virtual environment at .venv with the pinned
# Python packages from PyPI. Safe to run again; later runs are quick.
#
#   scripts/setup.sh               Debian packages and .venv
#   scripts/setup.sh --no-python   Debian packages only (what the C++ build needs)
set -euo pipefail
cd "$(dirname "$0")/.."
with_python=1
[ "${1:-}" = "--no-python" ] && with_python=0

debian_packages=(
  build-essential cmake ninja-build pkg-config git clang
  libboost-date-time-dev libexpected-dev libhowardhinnant-date-dev tzdata
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libical-dev
  libcpp-httplib-dev libssl-dev curl
  chromium openjdk-17-jre-headless
  python3 python3-venv python3-dev
)

missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ $with_python -eq 1 ] || exit 0

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$python" -m venv .venv
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
.venv/bin/pip install -q -r requirements-dev.txt
