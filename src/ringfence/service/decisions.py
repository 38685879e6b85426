"""The decision log, kept as OPA keeps one.

Each decision gets a ``decision_id``; its record holds the snapshot id, the policy (name,
version, hash, as-of date), the input (the client IP masked to its /24 or /48, listed under
``masked``), the facts the rule read (account, organisation, end customer, IP country), the
outcome and every reason.

* DENY and REVIEW: one audit record per decision, committed before the response.
* ALLOW: queued in memory and written as one audit record per batch (at most
  ``batch_size`` decisions or ``flush_seconds`` old, and at shutdown). A crash can lose
  at most the ALLOWs of the unflushed batch.

When the database cannot be reached (an outage, a restart), the hot path keeps answering
from memory: a DENY or REVIEW whose record cannot be committed is still answered (the
gateway refuses either way) and its record is *held*, in order, and written by the
flusher (every ``flush_seconds``) before the next ALLOW batch once the database is back:
none is lost while the process lives, and no restart is needed. Only a process killed
during the outage loses what it held. The queues are bounded (``max_pending`` decisions
in all): past that, every decision is refused with 503 ``unavailable`` (fail closed)
until the database takes them.

Every record is indexed by decision id (table ``decisions``), so any decision can be
fetched and replayed.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import structlog
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from ringfence.audit import AuditLog
from ringfence.decide import AccountFacts, Decision, Outcome
from ringfence.decide.state import DecisionState
from ringfence.exc import ServiceUnavailableError
from ringfence.store.tables import audit_log, decision_batches, decisions

__all__ = ["DecisionLog", "PendingDecision", "mask_ip"]

log = structlog.get_logger("ringfence.decisions")


def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def mask_ip(ip: str | None) -> str | None:
    return None if ip is None else _mask(ip)


@lru_cache(maxsize=65536)
def _mask(ip: str) -> str:
    try:
        addr = ipaddress.ip_address(ip.strip())
    except ValueError:
        return "invalid"
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def _facts(f: AccountFacts | None) -> dict[str, Any] | None:
    if f is None:
        return None
    return {"account_id": f.account_id, "channel": str(f.channel), "active": f.active,
            "org": f.org.evidence(),
            "end_customer": f.end_customer.evidence() if f.end_customer else None,
            "end_customer_ref": f.end_customer_ref,
            "detection": f.detection.evidence() if f.detection is not None else None,
            "signals": _plain(asdict(f.signals)) if f.signals is not None else None,
            "agreement": ({"kind": f.agreement.kind, "attestation": f.agreement.attestation,
                           "regions": sorted(f.agreement.regions)}
                          if f.agreement is not None else None)}


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    return {k: [list(x) if isinstance(x, tuple) else x for x in v] if isinstance(v, tuple)
            else v for k, v in d.items()}


@dataclass(frozen=True, slots=True)
class PendingDecision:
    """What the hot path hands over: cheap to make; the record is built off the path."""

    decision_id: str
    ts: float  # Unix time; formatted off the hot path
    state: DecisionState
    account_id: str | None
    ref: dict[str, str | None]  # what the caller named: account_id / key_id / api key
    client_ip: str | None
    channel: str | None
    end_customer: str | None
    decision: Decision
    policy_as_of: str
    end_customer_ref: str | None = None  # the intermediary's reference, as sent
    client_user_id: str | None = None  # the intermediary's end user, as sent

    def netclass(self) -> str | None:
        net, _country = self.state.net(self.client_ip)  # cached lookup, off the hot path
        return net.netclass if net is not None else None

    def end_customer_org(self) -> str | None:
        """The end customer the request attested, an organisation id (a reference resolved
        through the intermediary's map as the hot path did)."""
        if self.end_customer is not None or self.end_customer_ref is None:
            return self.end_customer
        f = self.state.facts(self.account_id) if self.account_id else None
        hit = self.state.ec_refs.get((f.org.org_id, self.end_customer_ref)) if f else None
        return hit[0] if hit is not None else None

    def record(self) -> dict[str, Any]:
        st = self.state
        facts = _facts(st.facts(self.account_id)) if self.account_id else None
        ec_id = self.end_customer_org()
        ec = st.orgs.get(ec_id) if ec_id else None
        net, _country = st.net(self.client_ip)
        return {
            "decision_id": self.decision_id,
            "ts": iso(self.ts),
            "snapshot_id": st.snapshot_id,
            "policy": {"name": st.policy.name, "version": st.policy.version,
                       "hash": st.policy.hash, "as_of": self.policy_as_of},
            "input": {**self.ref, "context": {"client_ip": mask_ip(self.client_ip),
                                              "channel": self.channel,
                                              "end_customer": self.end_customer,
                                              "end_customer_ref": self.end_customer_ref,
                                              "client_user_id": self.client_user_id}},
            "masked": ["input.context.client_ip"] if self.client_ip else [],
            "facts": {"account": facts, "end_customer": ec.evidence() if ec else None,
                      "ip_country": self.decision.ip_country,
                      "netclass": net.netclass if net is not None else None,
                      "net": ({"country": net.country, "asn": net.asn,
                               "netclass": net.netclass} if net is not None else None)},
            "result": self.decision.as_dict(),
        }


_ROW = ["decision_id", "ts", "account_id", "key_id", "client_ip", "channel", "end_customer",
        "ip_country", "reasons", "end_customer_ref", "client_user_id", "netclass",
        "end_customer_org"]


def _expand(group: dict[str, Any], r: dict[str, Any]) -> dict[str, Any]:
    from ringfence.decide import CATALOGUE, ReasonCode

    account = group["facts"].get(r["account_id"]) or {}
    detection = account.get("detection") or {}
    throttled = {"distillation_cluster", "distillation_link"} & set(r["reasons"])
    return {
        "decision_id": r["decision_id"], "ts": iso(float(r["ts"])),
        "snapshot_id": group["snapshot_id"], "policy": group["policy"],
        "input": {"account_id": None, "key_id": r["key_id"], "api_key": None,
                  "context": {"client_ip": r["client_ip"], "channel": r["channel"],
                              "end_customer": r["end_customer"],
                              "end_customer_ref": r.get("end_customer_ref"),
                              "client_user_id": r.get("client_user_id")}},
        "masked": ["input.context.client_ip"] if r["client_ip"] else [],
        "facts": {"account": group["facts"].get(r["account_id"]),
                  "end_customer": group["end_customers"].get(
                      r.get("end_customer_org") or r["end_customer"])
                  if (r.get("end_customer_org") or r["end_customer"]) else None,
                  "ip_country": r["ip_country"], "netclass": r.get("netclass")},
        "result": {"decision": "ALLOW", "allow": True, "ip_country": r["ip_country"],
                   "limits": detection.get("limit") if throttled else None,
                   "reasons": [{"code": c, "outcome": "ALLOW",
                                "text": CATALOGUE[ReasonCode(c)], "evidence": {}}
                               for c in r["reasons"]]},
    }


class DecisionLog:
    def __init__(self, engine: Engine, audit: AuditLog, *, batch_size: int = 1000,
                 flush_seconds: float = 1.0, max_pending: int = 200_000) -> None:
        self.engine = engine
        self.audit = audit
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.max_pending = max_pending
        self._queue: deque[PendingDecision] = deque()
        self._held: deque[tuple[PendingDecision, dict[str, Any]]] = deque()  # DENY/REVIEW
        self._flush_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def log(self, pending: PendingDecision) -> None:
        """Record a decision (see the module's docstring); raises 503 ``unavailable`` when
        the queues are full (the database has been unreachable for that long)."""
        if self.pending() >= self.max_pending:
            raise ServiceUnavailableError(
                "the decision log cannot be written and its queue is full; retry",
                details={"pending": self.pending()})
        if pending.decision.outcome is Outcome.ALLOW:
            self._queue.append(pending)
            if len(self._queue) >= self.batch_size:
                self._wake.set()
            return
        rec = pending.record()
        if self._held:  # an outage is on: keep the order, the flusher writes them
            self._held.append((pending, rec))
            return
        try:
            self._write_one(pending, rec)
        except (OperationalError, InterfaceError) as err:
            self._hold(pending, rec, err)
        except DBAPIError as err:
            if not err.connection_invalidated:
                raise
            self._hold(pending, rec, err)

    def _hold(self, pending: PendingDecision, rec: dict[str, Any], err: Exception) -> None:
        if not self._held:
            log.error("decision record held: the database cannot be written",
                      error=f"{type(err).__name__}: {err}".splitlines()[0])
        self._held.append((pending, rec))
        self._wake.set()

    def _write_one(self, pending: PendingDecision, rec: dict[str, Any]) -> None:
        with self.audit.transaction() as conn:
            audit_rec = self.audit.append(conn, kind="decision", actor="gateway",
                                          subject=pending.decision_id, payload=rec)
            conn.execute(insert(decisions).values(
                id=pending.decision_id, ts=iso(pending.ts), audit_seq=audit_rec.seq,
                outcome=str(pending.decision.outcome), account_id=pending.account_id,
                snapshot_id=pending.state.snapshot_id, policy_hash=pending.state.policy.hash))

    def flush(self) -> int:
        """Write queued ALLOWs as one audit record; returns how many were written.

        The batch is compact: decisions are grouped by the state they were made on
        (snapshot, policy), each group lists the facts of every account it mentions once,
        and each decision is a row ``[id, ts, account_id, key_id, masked ip, channel,
        end_customer, ip_country, reason codes]``. :meth:`get` expands a row back into the
        same record a DENY has (ALLOW reasons carry no evidence beyond the facts).
        """
        with self._flush_lock:
            written = 0
            while self._held:  # DENY/REVIEW records an outage held, in order, first
                self._write_one(*self._held[0])
                self._held.popleft()
                written += 1
            batch: list[PendingDecision] = []
            while self._queue and len(batch) < max(self.batch_size, 1) * 10:
                batch.append(self._queue.popleft())
            if not batch:
                return written
            try:
                self._write_batch(batch)
            except Exception:
                self._queue.extendleft(reversed(batch))  # keep them for the next try
                raise
            return written + len(batch)

    def _write_batch(self, batch: list[PendingDecision]) -> None:
        groups: dict[tuple[int, str], dict[str, Any]] = {}
        for p in batch:
            st = p.state
            g = groups.get((id(st), p.policy_as_of))
            if g is None:
                g = groups[(id(st), p.policy_as_of)] = {
                    "snapshot_id": st.snapshot_id,
                    "policy": {"name": st.policy.name, "version": st.policy.version,
                               "hash": st.policy.hash, "as_of": p.policy_as_of},
                    "facts": {}, "end_customers": {}, "rows": []}
            acc = p.account_id
            if acc is not None and acc not in g["facts"]:
                g["facts"][acc] = _facts(st.facts(acc))
            ec_id = p.end_customer_org()
            if ec_id and ec_id not in g["end_customers"]:
                ec = st.orgs.get(ec_id)
                g["end_customers"][ec_id] = ec.evidence() if ec else None
            g["rows"].append([p.decision_id, round(p.ts, 6), acc, p.ref.get("key_id"),
                              mask_ip(p.client_ip), p.channel, p.end_customer,
                              p.decision.ip_country, [r.code.value for r in p.decision.reasons],
                              p.end_customer_ref, p.client_user_id, p.netclass(), ec_id])
        prefix, _, first = batch[0].decision_id.rpartition("-")
        last = batch[-1].decision_id.rpartition("-")[2]
        with self.audit.transaction() as conn:
            audit_rec = self.audit.append(
                conn, kind="decisions.allow_batch", actor="gateway",
                subject=f"{batch[0].decision_id}..{batch[-1].decision_id}",
                payload={"count": len(batch), "columns": _ROW, "groups": list(groups.values())})
            conn.execute(insert(decision_batches).values(
                audit_seq=audit_rec.seq, id_prefix=prefix, first_n=int(first, 16),
                last_n=int(last, 16), count=len(batch)))

    def pending(self) -> int:
        """Decisions whose records are not written yet (ALLOWs queued, records held)."""
        return len(self._queue) + len(self._held)

    def held(self) -> int:
        """DENY and REVIEW records held while the database could not be written."""
        return len(self._held)

    def get(self, decision_id: str) -> dict[str, Any] | None:
        """The full record of one decision (DENY/REVIEW by index, ALLOW via its batch)."""
        prefix, _, counter = decision_id.rpartition("-")
        with self.engine.connect() as conn:
            row = conn.execute(select(decisions.c.audit_seq)
                               .where(decisions.c.id == decision_id)).first()
            if row is not None:
                seq = int(row.audit_seq)
            else:
                try:
                    n = int(counter, 16)
                except ValueError:
                    return None
                if not 0 < n < 2**63:  # not an id this service made (and not storable)
                    return None
                hit = conn.execute(select(decision_batches.c.audit_seq).where(
                    decision_batches.c.id_prefix == prefix, decision_batches.c.first_n <= n,
                    decision_batches.c.last_n >= n)).first()
                if hit is None:
                    return None
                seq = int(hit.audit_seq)
            payload = conn.execute(select(audit_log.c.payload, audit_log.c.kind)
                                   .where(audit_log.c.seq == seq)).first()
        if payload is None:
            return None
        data: dict[str, Any] = json.loads(payload.payload)
        if payload.kind == "decision":
            return {**data, "audit_seq": seq}
        columns = data.get("columns", _ROW)  # batches written before 0005 have fewer
        for g in data.get("groups", []):
            for r in g["rows"]:
                if r[0] == decision_id:
                    return {**_expand(g, dict(zip(columns, r, strict=True))),
                            "audit_seq": seq}
        return None

    def start(self) -> None:
        def loop() -> None:
            said = -1e9
            while not self._stop.is_set():
                self._wake.wait(self.flush_seconds)
                self._wake.clear()
                try:
                    while self.flush():
                        pass
                except (OperationalError, InterfaceError) as err:  # the database is away
                    now = time.monotonic()
                    if now - said >= 10.0:  # one line per 10 s, not one per tick
                        said = now
                        log.error("decision log flush failed; retrying",
                                  pending=self.pending(),
                                  error=f"{type(err).__name__}: {err}".splitlines()[0])
                except Exception:  # keep the queue; try again on the next tick
                    log.exception("decision log flush failed")

        self._thread = threading.Thread(target=loop, name="ringfence-allow-log", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            while self.flush():
                pass
        except (OperationalError, InterfaceError) as err:  # said once, loudly, not raised
            log.error("decision records lost at shutdown: the database cannot be written",
                      lost=self.pending(), held=self.held(),
                      error=f"{type(err).__name__}: {err}".splitlines()[0])
