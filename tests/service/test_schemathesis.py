"""Property-based API testing from the OpenAPI document (schemathesis): no generated input
makes the service answer 5xx, every answer conforms to the document (status code, content
type, headers, body schema), and every 422 names the field it is about.

Every operation in the document is driven through Hypothesis with schemathesis's
strategies, once with each role that may call it (gateway, analyst, admin, detector,
intermediary; the intermediary on its own channel), so each role's answers are checked
against the schema too. Bounded: a few examples per (operation, role), derandomised, so
the run is repeatable and takes about a minute (``slow``: .ci/run runs it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from rf_service import COUNTRY, public_groups_snapshot  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from test_role_matrix import MATRIX, OPEN  # noqa: E402

from ringfence.service import Runtime, ServiceSettings, create_app  # noqa: E402
from ringfence.service.book import create_account, create_token, onboard  # noqa: E402
from ringfence.service.channels import create_channel  # noqa: E402
from ringfence.store import make_engine  # noqa: E402

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
EXAMPLES = 15  # per (operation, role)


@schemathesis.serializer("application/x-ndjson")
def _ndjson(_ctx: Any, value: Any) -> bytes:  # the findings body: JSON lines as text
    return value.encode() if isinstance(value, str) else str(value).encode()


def _roles(method: str, path: str) -> list[str]:
    allowed = MATRIX[(method, path)]
    return ["gateway"] if allowed == OPEN else sorted(allowed)  # open: any token will do


def _check(op: Any, headers: dict[str, str], channel: str | None,
           failures: list[str]) -> Any:
    @given(case=op.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
              database=None, derandomize=True)
    def run(case: Any) -> None:
        if channel is not None and case.path_parameters and "channel_id" in \
                case.path_parameters:
            case.path_parameters["channel_id"] = channel  # the intermediary's own
        response = case.call(headers=headers)
        where = f"{case.method} {case.formatted_path} [{headers.get('x-role')}]"
        case.validate_response(response, checks=CHECKS, headers=headers)
        if response.status_code == 422:
            details = response.json()["error"]["details"]
            problems = details.get("problems") or [details]
            if not all(p.get("field") for p in problems):
                failures.append(f"{where}: 422 without a field: {response.text[:300]}")

    return run


@pytest.mark.slow
def test_no_server_errors_and_no_schema_violations(tmp_path: Path) -> None:
    snap = public_groups_snapshot(tmp_path / "snap")
    engine = make_engine(f"sqlite:///{tmp_path / 'rf.db'}")
    cfg = ServiceSettings(database_url=str(engine.url), snapshot=snap, geoip=False,
                          embedded_default=False, background=False)
    rt = Runtime(cfg, engine=engine, country_of=COUNTRY.get)
    app = create_app(cfg, runtime=rt)
    rt.start()
    org = onboard(rt, name="Spotify Technology S.A.", country="LU", billing_country=None,
                  identifiers=[], domains=[], actor="test")
    create_account(rt, org_id=org["id"], channel="direct", end_customer=None, actor="test")
    reseller = onboard(rt, name="Oracle Corporation", country="US", billing_country=None,
                       identifiers=[], domains=[], actor="test")["id"]
    create_channel(rt, org_id=reseller, kind="reseller", attestation="both", regions=[],
                   actor="test")
    tokens = {r: create_token(rt, role=r, label=r, actor="test",
                              channel=reseller if r == "intermediary" else None)["token"]
              for r in ("gateway", "analyst", "admin", "detector", "intermediary")}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    ran: set[str] = set()
    for result in schema.get_all_operations():
        op = result.ok()
        for role in _roles(op.method.upper(), op.path):
            headers = {"Authorization": f"Bearer {tokens[role]}", "x-role": role}
            if op.path.startswith("/v1/ext_authz"):
                headers["x-ringfence-gateway-token"] = tokens[role]
            try:
                _check(op, headers, reseller if role == "intermediary" else None, failures)()
            except (Exception, BaseExceptionGroup) as err:  # the first failure, shrunk
                failures.append(f"{op.method.upper()} {op.path} [{role}]: {str(err)[:700]}")
            ran.add(role)
    rt.stop()
    engine.dispose()
    assert ran == {"gateway", "analyst", "admin", "detector", "intermediary"}
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:30])
