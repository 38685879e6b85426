"""Property-based API testing from the OpenAPI document (schemathesis): no generated input
makes the service answer 5xx, and every 422 names the field it is about.

Every operation in the document is driven through Hypothesis with schemathesis's
strategies, authenticated with the role that may call it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from rf_service import COUNTRY, public_groups_snapshot  # noqa: E402

from ringfence.service import Runtime, ServiceSettings, create_app  # noqa: E402
from ringfence.service.book import create_account, create_token, onboard  # noqa: E402
from ringfence.store import make_engine  # noqa: E402

SKIP = {("POST", "/v1/admin/snapshots/publish")}  # publishes any path it is given


@schemathesis.serializer("application/x-ndjson")
def _ndjson(_ctx: Any, value: Any) -> bytes:  # the findings body: JSON lines as text
    return value.encode() if isinstance(value, str) else str(value).encode()


def _role(path: str) -> str:
    if path.startswith(("/v1/decide", "/v1/ext_authz")):
        return "gateway"
    if path == "/v1/findings":
        return "detector"
    if path.startswith("/v1/admin"):
        return "admin"
    return "analyst"


def _check(op: Any, headers: dict[str, str], failures: list[str]) -> Any:
    @given(case=op.as_strategy())
    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck),
              database=None, derandomize=True)
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        where = f"{case.method} {case.formatted_path}"
        if response.status_code >= 500:
            failures.append(f"{where}: {response.status_code} {response.text[:300]}")
        elif response.status_code == 422:
            details = response.json()["error"]["details"]
            problems = details.get("problems") or [details]
            if not all(p.get("field") for p in problems):
                failures.append(f"{where}: 422 without a field: {response.text[:300]}")

    return run


@pytest.mark.slow
def test_no_server_errors_and_422_names_the_field(tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "snap")
    engine = make_engine(f"sqlite:///{tmp_path / 'rf.db'}")
    cfg = ServiceSettings(database_url=str(engine.url), snapshot=snap, geoip=False,
                          embedded_default=False, background=False)
    rt = Runtime(cfg, engine=engine, country_of=COUNTRY.get)
    app = create_app(cfg, runtime=rt)
    rt.start()
    tokens = {r: create_token(rt, role=r, label=r, actor="test")["token"]
              for r in ("gateway", "analyst", "admin", "detector")}
    org = onboard(rt, name="Spotify Technology S.A.", country="LU", billing_country=None,
                  identifiers=[], domains=[], actor="test")
    create_account(rt, org_id=org["id"], channel="direct", end_customer=None, actor="test")
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    ran = 0
    for result in schema.get_all_operations():
        op = result.ok()
        if (op.method.upper(), op.path) in SKIP:
            continue
        _check(op, {"Authorization": f"Bearer {tokens[_role(op.path)]}"}, failures)()
        ran += 1
    rt.stop()
    engine.dispose()
    assert ran >= 20
    assert not failures, "\n".join(failures[:20])
