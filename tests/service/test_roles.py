"""Access control: malformed credentials are 401. The full route × credential matrix is
test_role_matrix.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from rf_service import service
from sqlalchemy import Engine


@pytest.mark.parametrize("bad", ["Bearer nope", "Basic abc", "Bearer "])
def test_bad_tokens_are_401(db_engine: Engine, tmp_path: Path, bad: str) -> None:
    with service(db_engine, None) as (client, _rt):
        r = client.post("/v1/decide", json={"key_id": "k"}, headers={"Authorization": bad})
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
