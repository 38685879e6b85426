"""Helpers for service tests: a snapshot from the bundled public-groups data, an app, tokens."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from ringfence.ingest.run import ingest_csv
from ringfence.service import Runtime, ServiceSettings, create_app
from ringfence.service.book import create_token
from ringfence.service.runtime import Evaluator

# The bundled copy of the public-groups data (package data), as the embedded default uses.
DATA = Path(__file__).resolve().parents[2] / "src" / "ringfence" / "data" / "public-groups"

COUNTRY = {"203.0.113.7": "US", "223.5.5.5": "CN", "77.88.8.8": "RU", "8.8.8.8": "US"}

_CACHE: dict[str, Path] = {}

# The service tests need an organisation whose verdict is uncertain. The bundled data
# records TikTok UK as a majority-owned subsidiary of ByteDance (restricted); the test
# snapshot gives that row back the closed range 50%-100% it had before its source was
# read, which is uncertain under "more than 50%".
_UNCERTAIN_ROW = ("bytedance,tiktok_uk,shares,,>0.5,1,", "bytedance,tiktok_uk,shares,,0.5,1,")


def public_groups_snapshot(out: Path, *, drop_holding: str | None = None) -> Path:
    """The bundled data as a snapshot, TikTok UK uncertain (see ``_UNCERTAIN_ROW``);
    ``drop_holding`` removes holdings lines containing that text (a changed snapshot for
    publish tests)."""
    key = drop_holding or ""
    if key not in _CACHE:
        import tempfile

        tmp = Path(tempfile.mkdtemp(prefix="rf-snap-"))
        lines = (DATA / "holdings.csv").read_text(encoding="utf-8").splitlines(keepends=True)
        found = [i for i, ln in enumerate(lines) if ln.startswith(_UNCERTAIN_ROW[0])]
        assert len(found) == 1, f"bundled holdings lack {_UNCERTAIN_ROW[0]!r}"
        lines[found[0]] = lines[found[0]].replace(*_UNCERTAIN_ROW)
        if drop_holding:
            lines = lines[:1] + [ln for ln in lines[1:] if drop_holding not in ln]
        holdings = tmp / "holdings.csv"
        holdings.write_text("".join(lines), encoding="utf-8")
        ingest_csv(entities=DATA / "entities.csv", holdings=holdings,
                   names=DATA / "names.csv", identifiers=DATA / "identifiers.csv",
                   out=tmp / "snap")
        _CACHE[key] = tmp / "snap"
    shutil.copytree(_CACHE[key], out)
    return out


@contextmanager
def service(engine: Engine, snapshot: Path | None, *, evaluator: Evaluator | None = None,
            **kw: Any) -> Iterator[tuple[TestClient, Runtime]]:
    """An app and its runtime on ``engine`` (settings in ``kw``; background threads off
    unless ``background=True``). Two of these on one engine are two workers."""
    kw.setdefault("embedded_default", False)
    kw.setdefault("background", False)
    settings = ServiceSettings(database_url=str(engine.url), snapshot=snapshot,
                               geoip=False, **kw)
    rt = Runtime(settings, engine=engine, country_of=COUNTRY.get, evaluator=evaluator)
    app = create_app(settings, runtime=rt)
    with TestClient(app) as client:
        yield client, rt


def token(rt: Runtime, role: str, label: str = "") -> dict[str, str]:
    secret = create_token(rt, role=role, label=label or role, actor="test")["token"]
    return {"Authorization": f"Bearer {secret}"}
