"""Every integer and string the API accepts is bounded, as its OpenAPI document says:
integers have a minimum and a maximum, strings a maxLength (or an enum, or an IP address's
format, which parsing bounds), arrays a maxItems. A field added without a bound fails
here, before any input can reach SQL or the logic unbounded. And the bound is enforced:
an over-long path id is a 422 naming it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rf_service import service

from ringfence.service import ServiceSettings, create_app
from ringfence.store import make_engine

PARSED = {"ipvanyaddress"}  # formats whose parser bounds the input


def _unbounded(schema: Any, where: str, comps: dict[str, Any], seen: frozenset[str]
               ) -> list[str]:
    if not isinstance(schema, dict):
        return []
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return [] if name in seen else _unbounded(comps[name], name, comps, seen | {name})
    out = []
    t = schema.get("type")
    if t in ("integer", "number") and not (
            {"minimum", "exclusiveMinimum"} & schema.keys()
            and {"maximum", "exclusiveMaximum"} & schema.keys()):
        out.append(f"{where}: {t} without both bounds")
    if t == "string" and not ({"maxLength", "enum", "const"} & schema.keys()
                              or schema.get("format") in PARSED):
        out.append(f"{where}: string without maxLength")
    if t == "array" and "maxItems" not in schema:
        out.append(f"{where}: array without maxItems")
    for key in ("items", "additionalProperties"):
        out += _unbounded(schema.get(key), f"{where}.{key}", comps, seen)
    for key, sub in (schema.get("properties") or {}).items():
        out += _unbounded(sub, f"{where}.{key}", comps, seen)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key) or []:
            out += _unbounded(sub, where, comps, seen)
    return out


def test_every_input_of_the_api_is_bounded() -> None:
    app = create_app(ServiceSettings(database_url="sqlite://", geoip=False,
                                     embedded_default=False, background=False))
    doc = app.openapi()
    comps = doc["components"]["schemas"]
    problems: list[str] = []
    inputs = 0
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                inputs += 1
                problems += _unbounded(p.get("schema"), f"{method.upper()} {path} "
                                       f"{p['in']}.{p['name']}", comps, frozenset())
            for ctype, content in (op.get("requestBody", {}).get("content") or {}).items():
                inputs += 1
                problems += _unbounded(content.get("schema"), f"{method.upper()} {path} "
                                       f"body ({ctype})", comps, frozenset())
    assert inputs > 40
    assert not problems, "\n".join(problems)


def test_an_over_long_path_id_is_refused_naming_it(tmp_path: Path) -> None:
    from rf_service import token

    engine = make_engine(f"sqlite:///{tmp_path / 'rf.db'}")
    with service(engine, None) as (client, rt):
        h = token(rt, "analyst")
        r = client.get("/v1/organizations/" + "o" * 201, headers=h)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"]["problems"][0]["field"] == "path.org_id"
        assert client.get("/v1/organizations/" + "o" * 200, headers=h).status_code == 404
    engine.dispose()
