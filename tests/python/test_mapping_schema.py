"""schemas/mapping.schema.json (the mapping files of `duly serve --mapping`)
accepts the example of examples/serve/ and its own example, and refuses the
mistakes `duly serve` refuses (a field that is not a pointer, a missing
`event`, an unknown key, a source name that is not a URL path segment).
"""

from __future__ import annotations

import json
import pathlib

import pytest

jsonschema = pytest.importorskip("jsonschema")
yaml = pytest.importorskip("yaml")

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "mapping.schema.json").read_text())


def errors(doc: object) -> list[str]:
    v = jsonschema.Draft202012Validator(SCHEMA)
    return [e.message for e in v.iter_errors(doc)]


def test_the_examples_are_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert errors(yaml.safe_load((ROOT / "examples" / "serve" / "mapping.yaml").read_text())) == []
    for example in SCHEMA["examples"]:
        assert errors(example) == []


@pytest.mark.parametrize("source", [
    {"id": "doc/name", "at": "/at", "event": "/e"},                      # not a pointer
    {"id": "/id", "at": "/at"},                                          # no event
    {"id": "/id", "at": "/at", "event": "/e", "colour": "red"},          # unknown key
    {"id": "/id", "at": {"pointer": "/at", "colour": 1}, "event": "/e"},  # unknown key in a field
    {"id": "/id", "at": "/at", "event": {"const": "x", "pointer": "/e"}},  # const stands alone
    {"id": "/id", "at": "/at", "event": "/e", "attributes": {"id": "/x"}},  # a reserved name
])
def test_mistakes_are_refused(source: dict) -> None:
    assert errors({"sources": {"erp": source}}) != []


def test_source_names_are_path_segments() -> None:
    assert errors({"sources": {"b c": {"id": "/i", "at": "/a", "event": "/e"}}}) != []
    assert errors({"sources": {}}) != []
