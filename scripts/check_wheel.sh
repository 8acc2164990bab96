#!/usr/bin/env bash
# The wheel installs into a clean virtual environment and works there, with no
# build tree or source checkout around: builds it (reusing the build tree of
# `pip install --no-build-isolation .` in build/python, so it only repackages),
# installs it with numpy alone into a new venv, and runs a small evaluation from
# another directory. Also checks what the wheel holds: the package, its stubs and
# py.typed, and not the C++ headers; and that the optional extras stay optional
# (duly.dask and the plots say how to install them). About 15 s plus the build.
#
#   scripts/check_wheel.sh              build the wheel, then check it
#   scripts/check_wheel.sh WHEEL        check a wheel already built (scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ $# -ge 1 ]; then
  wheel=$(realpath "$1")
else
  .venv/bin/pip wheel -q --no-build-isolation --no-deps -w "$tmp/dist" .
  wheel=$(ls "$tmp"/dist/duly-*.whl)
fi
.venv/bin/python - "$wheel" <<'PY'
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
for need in ("duly/__init__.py", "duly/py.typed", "duly/_duly.pyi", "duly/analysis/attainment.py",
             "duly/analysis/backtest.py", "duly/analysis/plot.py", "duly/analysis/page.py", "duly/dask.py",
             "duly/spark.py", "duly/_arrow_events.py", "duly/_history.py"):
    assert need in names, f"{need} missing from the wheel"
assert any(n.startswith("duly/_duly.") and n.endswith(".so") for n in names), "no extension module"
assert not any(n.endswith((".hpp", ".h", ".a")) for n in names), "C++ files in the wheel"
meta = [n for n in names if n.endswith("METADATA")][0]
text = zipfile.ZipFile(sys.argv[1]).read(meta).decode()
for extra in ("dask", "plot", "arrow", "spark"):
    assert f"Provides-Extra: {extra}" in text, f"no extra {extra}"
print(f"wheel: {len(names)} files, extras dask, plot, arrow and spark")
PY

python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --disable-pip-version-check "numpy==2.4.6" "$wheel"
cd "$tmp"  # nothing of the checkout on the path
"$tmp/venv/bin/python" - "$root" <<'PY'
import importlib.resources, pathlib, sys
import duly
assert "site-packages" in duly.__file__, duly.__file__
assert importlib.resources.files("duly").joinpath("py.typed").is_file()
policy = duly.Policy.from_yaml(
    "duly: 1\ntargets:\n  - name: reply\n    start_when: event == 'opened'\n"
    "    stop_when: event == 'replied'\n    goals: [{within: 1h}]\n")
result = duly.evaluate(policy, [
    {"id": "T-1", "at": "2026-01-05T09:00:00Z", "event": "opened"},
    {"id": "T-1", "at": "2026-01-05T09:20:00Z", "event": "replied"},
    {"id": "T-2", "at": "2026-01-05T09:00:00Z", "event": "opened"},
], "2026-01-05T12:00:00Z")
assert [t.state for t in result.timers] == ["met", "breached"], result.timers
try:
    import duly.dask
except ImportError as e:
    assert "pip install 'duly[dask]'" in str(e), e
else:
    raise AssertionError("duly.dask imported without dask")
try:
    import duly.spark
except ImportError as e:
    assert "pip install 'duly[spark]'" in str(e), e
else:
    raise AssertionError("duly.spark imported without pyspark")
try:
    duly.plot_attainment(result)
except ImportError as e:
    assert "pip install 'duly[plot]'" in str(e), e
else:
    raise AssertionError("plotted without matplotlib")
print(f"clean venv: duly {duly.__version__} from {pathlib.Path(duly.__file__).parent}: ok")
PY
