"""docs/openapi.yaml, the API of `duly serve`, is a valid OpenAPI 3 document
(openapi-spec-validator) and describes exactly the routes that
src/serve/service.cpp serves, each with the status codes its handlers give.
"""

from __future__ import annotations

import pathlib
import re

import pytest

yaml = pytest.importorskip("yaml")
validator = pytest.importorskip("openapi_spec_validator")

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "openapi.yaml"
SERVICE = ROOT / "src" / "serve" / "service.cpp"


def load() -> dict:
    return yaml.safe_load(DOC.read_text())


def test_the_document_is_valid_openapi_3() -> None:
    spec = load()
    assert spec["openapi"].startswith("3.")
    validator.validate(spec)


def test_it_describes_the_routes_the_service_serves() -> None:
    source = SERVICE.read_text()
    served = set()
    for method, pattern in re.findall(r'svr\.(Get|Post)\(\s*(?:R"\()?"?([^"]+?)"?(?:\)")?,', source):
        path = pattern.replace("([^/]+)", "{source}").replace("(.+)", "{id}")
        served.add((method.lower(), path))
    documented = {(m, p) for p, ops in load()["paths"].items() for m in ops}
    assert served == documented


def test_every_error_status_the_handlers_give_is_documented_somewhere() -> None:
    source = SERVICE.read_text()
    given = {int(s) for s in re.findall(r"\{(\d{3}), \"", source)}
    documented = {int(code) for ops in load()["paths"].values() for op in ops.values()
                  for code in op["responses"]}
    # 405 and 500 can come from any endpoint: info.description says so.
    assert "405" in load()["info"]["description"] and "500" in load()["info"]["description"]
    assert given - documented - {405, 500} == set()
