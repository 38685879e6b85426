"""The detector: state updated request by request and hour by hour, no look-ahead.

The caller (``ringfence.traffic``) feeds, in log order: ``add_org`` / ``add_account`` /
``add_event`` for records whose time is before the next checkpoint, ``observe`` for each
request before it, then ``checkpoint(t)``. Replay and live following call exactly this, so
they run the same code; the state (``DetectorState``) is plain data the store pickles.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ringfence.detect.classify import LABELS, ModelClassifier
from ringfence.detect.config import RESTRICTED_REGIONS, DetectorConfig
from ringfence.detect.emails import normalise_email
from ringfence.detect.fanout import DistinctCounter
from ringfence.detect.linking import LinkGraph
from ringfence.detect.neardup import SkeletonFamilies, count_families
from ringfence.detect.prompts import PromptReader
from ringfence.detect.scoring import CATEGORY_CAPS, action_for, combine, max_action, noisy_or
from ringfence.detect.signals import Signal, content_signals, context_signals
from ringfence.detect.state import (
    AccountState,
    FingerprintIndex,
    NetInfo,
    OrgState,
    ip_block,
    text_field,
)
from ringfence.detect.synchrony import synchronised_requests
from ringfence.detect.text import excerpt, is_short_key, stable_hash

__all__ = ["ActionRow", "CheckpointResult", "Detector", "DetectorState", "NetLookup", "iso"]

NetLookup = Callable[[str, Any, Any, Any], NetInfo]
_LABEL_INDEX = {label: i for i, label in enumerate(LABELS)}
_TEMPLATE_KINDS = frozenset({"system_prompt_hash", "system_prefix_hash", "tools_hash",
                             "skeleton", "skeleton_near"})


def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class ActionRow:
    checkpoint: str
    account_id: str
    action: str
    score: float
    cluster_id: str


@dataclass
class CheckpointResult:
    checkpoint: str
    rows: list[ActionRow]
    findings: list[dict[str, Any]]  # new or changed findings at this checkpoint


@dataclass
class _Cached:
    content: float = 0.0
    context: float = 0.0
    signals: list[Signal] = field(default_factory=list)
    own: float = 0.0  # the account's own score (content and context, no links)


@dataclass
class DetectorState:
    window_start: float
    config: DetectorConfig
    accounts: list[AccountState] = field(default_factory=list)
    by_id: dict[str, int] = field(default_factory=dict)
    orgs: dict[str, OrgState] = field(default_factory=dict)
    index: FingerprintIndex = field(default_factory=FingerprintIndex)
    links: LinkGraph = field(default_factory=LinkGraph)
    releases: list[tuple[float, str]] = field(default_factory=list)
    release_base: dict[str, dict[int, int]] = field(default_factory=dict)
    model_totals: Counter[str] = field(default_factory=Counter)
    total_requests: int = 0
    key_labels: dict[int, str] = field(default_factory=dict)
    # the small model's verdicts per skeleton key (LABELS order) until the key is settled
    key_votes: dict[int, list[int]] = field(default_factory=dict)
    # this hour's requests per prompt-skeleton key: (time bucket, account), for synchrony
    sync_buf: dict[int, list[tuple[int, int, int, int]]] = field(default_factory=dict)
    pending: list[tuple[int, int, str, str]] = field(default_factory=list)  # acc, key, norm, raw
    # near-duplicate families (detect.neardup); sampled (account, skeleton) to place
    families: SkeletonFamilies = field(default_factory=SkeletonFamilies)
    near_pending: list[tuple[int, str]] = field(default_factory=list)
    dirty: set[int] = field(default_factory=set)
    suspects: set[int] = field(default_factory=set)
    scored: set[int] = field(default_factory=set)  # accounts re-scored at this checkpoint
    cached: dict[int, _Cached] = field(default_factory=dict)
    findings: dict[str, dict[str, Any]] = field(default_factory=dict)  # latest per cluster
    finding_marks: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    checkpoints: int = 0
    last_checkpoint: float = 0.0


class Detector:
    def __init__(self, state: DetectorState, *, net: NetLookup,
                 throwaway: frozenset[str] = frozenset(),
                 model: ModelClassifier | None = None) -> None:
        self.state = state
        self.config = state.config
        self._net = net
        self._net_cache: dict[str, NetInfo] = {}
        self._throwaway = throwaway
        self._model = model
        self._read = PromptReader()  # per exact prompt text; not state (never pickled)

    # ---------------------------------------------------------------- records
    def _account(self, account_id: str, org_id: str) -> AccountState:
        st = self.state
        i = st.by_id.get(account_id)
        if i is not None:
            return st.accounts[i]
        a = AccountState(idx=len(st.accounts), account_id=account_id, org_id=org_id,
                         client_users=DistinctCounter(self.config.client_user_cap))
        st.accounts.append(a)
        st.by_id[account_id] = a.idx
        return a

    def add_org(self, rec: Mapping[str, Any], created: float | None) -> None:
        org_id = text_field(rec, "org_id")
        self.state.orgs[org_id] = OrgState(
            org_id=org_id, name=text_field(rec, "name"),
            declared_country=text_field(rec, "declared_country").upper(), created=created,
            kyc_level=text_field(rec, "kyc_level"), org_type=text_field(rec, "org_type"))

    def add_account(self, rec: Mapping[str, Any], created: float | None) -> None:
        a = self._account(text_field(rec, "account_id"), text_field(rec, "org_id"))
        if a.known:
            return
        a.known = True
        a.created = created
        a.email_norm, a.email_domain = normalise_email(text_field(rec, "email"))
        if not a.email_domain:
            a.email_domain = text_field(rec, "email_domain").lower()
        a.throwaway = a.email_domain in self._throwaway
        a.declared_country = text_field(rec, "declared_country").upper()
        a.payment_fp = text_field(rec, "payment_fingerprint")
        a.payment_bin = text_field(rec, "payment_bin")
        a.payment_country = text_field(rec, "payment_country").upper()
        a.program = text_field(rec, "verification_program") or "none"
        a.tier = text_field(rec, "tier")
        a.signup_ip = text_field(rec, "signup_ip")
        a.signup_country = text_field(rec, "signup_country").upper()
        a.device = text_field(rec, "signup_device_fp")
        idx = self.state.index
        if a.payment_fp:
            idx.add("payment_fingerprint", a.payment_fp, a.idx)
        if a.device:
            idx.add("signup_device_fp", a.device, a.idx)
        if a.email_norm:
            idx.add("email", a.email_norm, a.idx)
        when = created if created is not None else self.state.window_start
        if a.signup_ip:
            block = ip_block(a.signup_ip)
            if block:
                bucket = int(when // (self.config.signup_window_h * 3600))
                idx.add("signup_ip_block", (block, bucket), a.idx)
                idx.add("signup_ip_block", (block, bucket + 1), a.idx)
        if a.payment_bin:
            day = int(when // 86400)
            idx.add("payment_bin_day", (a.payment_bin, day), a.idx)
        self.state.dirty.add(a.idx)

    def add_event(self, event: Mapping[str, Any], ts: float) -> None:
        if event.get("type") != "model_release":
            return
        model = text_field(event, "model")
        st = self.state
        st.releases.append((ts, model))
        st.release_base[model] = {a.idx: a.n for a in st.accounts if a.n}
        st.model_totals[f"@{model}"] = st.total_requests

    # ---------------------------------------------------------------- requests
    def _netinfo(self, req: Mapping[str, Any]) -> NetInfo:
        ip = req.get("ip") or ""
        info = self._net_cache.get(ip)
        if info is None:
            info = self._net(ip, req.get("asn"), req.get("asn_name"), req.get("country"))
            if len(self._net_cache) < 500_000:
                self._net_cache[ip] = info
        return info

    def observe(self, req: Mapping[str, Any], ts: float) -> None:
        """Take one request (already validated by the reader; ``ts`` in epoch seconds)."""
        st = self.state
        cfg = self.config
        a = self._account(req["account_id"], req["org_id"])
        st.dirty.add(a.idx)
        st.total_requests += 1
        if a.n:
            gap = ts - a.last_ts
            if gap > 0:
                a.gap_n += 1
                a.gap_sum += gap
                a.gap_sq += gap * gap
        else:
            a.first_ts = ts
        a.n += 1
        a.last_ts = ts
        a.utc_hours[int(ts // 3600) % 24] += 1
        bucket = int((ts - st.window_start) // cfg.sync_bucket_s)
        hour = int((ts - st.window_start) // 3600)
        a.hourly[hour] = a.hourly.get(hour, 0) + 1
        idx = st.index

        raw = prompt if isinstance(prompt := req.get("prompt"), str) else ""
        norm, label, skel, kp, ks, computer, coding = self._read(raw)
        item = stable_hash(norm)  # which item: a round deals different ones (synchrony)
        for key in (kp, ks) if kp != ks else (kp,):
            rows = st.sync_buf.get(key)
            if rows is None:
                st.sync_buf[key] = [(bucket, a.idx, st.total_requests, item)]
            elif len(rows) < cfg.sync_cap:
                rows.append((bucket, a.idx, st.total_requests, item))
        for key in (kp, ks) if kp != ks else (kp,):
            c = a.skeletons.get(key)
            if c is None:
                if len(a.skeletons) < cfg.skeleton_cap:
                    a.skeletons[key] = 1
            else:
                a.skeletons[key] = c + 1
        if a.n <= cfg.near_first or stable_hash(f"n{req.get('request_id')}") % 100 < \
                cfg.near_sample_pct:
            st.near_pending.append((a.idx, skel))  # its near-duplicate family, in a batch
        if label == "other":
            cached = st.key_labels.get(kp) or st.key_labels.get(ks)
            if cached is not None:
                label = cached
                if cached != "other":
                    a.model_distill += 1
            elif self._model is not None and (
                    self._wants_vote(a, kp) or self._wants_vote(a, ks)
                    or stable_hash(str(req.get("request_id"))) % 10_000
                    < cfg.model_sample * 10_000):
                key = kp if a.skeletons.get(kp, 0) >= 2 else ks
                # per key: one count per label, then the prompts waiting for the model
                st.key_votes.setdefault(key, [0] * (len(LABELS) + 1))[-1] += 1
                st.pending.append((a.idx, key, norm, raw))
                label = ""
        if label:
            a.labels[_LABEL_INDEX[label]] += 1
            if label != "other" and len(a.excerpts) < 3:
                a.excerpts.append((label, excerpt(raw)))

        n_tools = req.get("n_tools") or 0
        if n_tools:
            a.tools += 1
        if req.get("n_images"):
            a.images += 1
        if computer:
            a.computer += 1
        if coding:
            a.coding += 1
        th = req.get("tools_hash")
        if th:
            if th in a.tools_hashes:
                a.tools_hashes[th] += 1
            elif len(a.tools_hashes) < 50:
                a.tools_hashes[th] = 1
                idx.add("tools_hash", th, a.idx)
        sp = req.get("system_prompt_hash")
        if sp:
            if sp in a.system_prompts:
                a.system_prompts[sp] += 1
            elif len(a.system_prompts) < 50:
                a.system_prompts[sp] = 1
                idx.add("system_prompt_hash", sp, a.idx)
                # the first 200 characters: one operator's fronts customise one template
                spx = req.get("system_prefix_hash")
                if spx and spx != sp:
                    idx.add("system_prefix_hash", spx, a.idx)

        conv = req.get("conversation_id")
        if conv and conv not in a.conversations:
            if len(a.conversations) < cfg.conversation_cap:
                a.conversations.add(conv)
            if ts - st.window_start >= 6 * 3600:  # older threads may predate the window
                a.new_conversations += 1
                if (req.get("turn_index") or 0) >= 2:
                    a.injected += 1

        ip = req.get("ip") or ""
        country, _asn, netclass = self._netinfo(req)
        if ip:
            if ip in a.ips:
                a.ips[ip] += 1
            elif len(a.ips) < cfg.ip_cap:
                a.ips[ip] = 1
                idx.add("ip", ip, a.idx)
        if country:
            a.countries[country] = a.countries.get(country, 0) + 1
            if country in RESTRICTED_REGIONS:
                a.restricted += 1
        a.netclass[netclass] = a.netclass.get(netclass, 0) + 1
        cuid = req.get("client_user_id")
        if cuid and a.client_users.add(cuid):  # new, and below the exact counter's cap
            idx.add("client_user_id", cuid, a.idx)
        model = req.get("model")
        if model:
            if model not in a.models:
                a.models[model] = ts
            a.model_counts[model] = a.model_counts.get(model, 0) + 1
            st.model_totals[model] += 1

    # ---------------------------------------------------------------- checkpoint
    def _run_model(self) -> None:
        st = self.state
        if not st.pending or self._model is None:
            st.pending.clear()
            return
        labels = self._model.predict([p[2] for p in st.pending])
        for (acc, key, _norm, raw), label in zip(st.pending, labels, strict=True):
            self._vote(key, label)
            a = st.accounts[acc]
            a.labels[_LABEL_INDEX[label]] += 1
            if label != "other":
                a.model_distill += 1
                if len(a.excerpts) < 3:
                    a.excerpts.append((label + "~model", excerpt(raw)))
        st.pending.clear()

    def _wants_vote(self, a: AccountState, key: int) -> bool:
        """Ask the model about a key's prompt at its second sighting in an account, and
        again (other prompts, other accounts) until the key is settled."""
        if a.skeletons.get(key, 0) < 2:
            return False
        votes = self.state.key_votes.get(key)
        return votes is None or sum(votes) < self.config.model_votes

    def _vote(self, key: int, label: str) -> None:
        """One model verdict on a key's prompt. A key's label is settled, and reused for
        every later prompt of that skeleton, once the model has given ``model_votes``
        verdicts (sooner when the first three agree): the majority label when at least
        two thirds agree, ``other`` otherwise. One misread prompt no longer labels a whole
        template (an agency's caption template read as reasoning reconstruction once
        labelled every caption of every client)."""
        st = self.state
        votes = st.key_votes.setdefault(key, [0] * (len(LABELS) + 1))
        votes[-1] = max(0, votes[-1] - 1)
        if key in st.key_labels:
            if not votes[-1]:
                del st.key_votes[key]
            return
        votes[_LABEL_INDEX[label]] += 1
        total = sum(votes[:-1])
        best = max(range(len(LABELS)), key=lambda i: (votes[i], -i))
        if (total >= 3 and votes[best] == total) or total >= self.config.model_votes:
            st.key_labels[key] = LABELS[best] if 3 * votes[best] >= 2 * total else "other"
            if not votes[-1]:
                del st.key_votes[key]

    def _near_families(self) -> None:
        """Place this hour's sampled skeletons in their near-duplicate families."""
        st = self.state
        if st.near_pending:
            count_families(st.families, st.near_pending, st.accounts,
                           cap=self.config.skeleton_cap)
            st.near_pending = []

    def _synchrony(self) -> None:
        """Count this hour's requests sent in synchronised bursts (detect.synchrony)."""
        st = self.state
        if not st.sync_buf:
            return
        org_of = [a.org_id for a in st.accounts]
        hits, bursts = synchronised_requests(
            st.sync_buf, org_of, buckets=max(1, 3600 // self.config.sync_bucket_s))
        for acc, k in hits.items():
            st.accounts[acc].synced += k
            st.dirty.add(acc)
        for key, bucket, accs in bursts:
            for acc in accs:
                st.index.add("sync", (key, bucket), acc)
        st.sync_buf = {}

    def _release_pivot(self, a: AccountState, t: float) -> tuple[str, float] | None:
        st = self.state
        for rts, model in st.releases:
            first = a.models.get(model)
            if first is None or first - rts > 24 * 3600 or t - rts > 7 * 86400:
                continue
            since = a.n - st.release_base.get(model, {}).get(a.idx, 0)
            if since < 10:
                continue
            share = a.model_counts.get(model, 0) / since
            total_since = st.total_requests - st.model_totals.get(f"@{model}", 0)
            peers = st.model_totals.get(model, 0) / total_since if total_since else 0.0
            if share >= 0.8 and share - peers >= 0.4:
                return model, share
        return None

    def _known_template(self, a: AccountState, memo: dict[tuple[str, Any], bool]) -> bool:
        """Does this account carry a behaviour value (system prompt, tool schema, prompt
        skeleton) that at least three suspended accounts carry and almost no ordinary org
        does? The template index outlives the accounts: a replacement account that keeps
        its operator's templates is a suspect from its first requests."""
        st = self.state
        for kind, value in st.index.shared_values_of(a.idx):
            spec = self.config.kinds[kind]
            if spec.identity or kind not in _TEMPLATE_KINDS:
                continue
            hit = memo.get((kind, value))
            if hit is None:
                suspended = 0
                benign: set[str] = set()
                for h in st.index.holders(kind, value):
                    b = st.accounts[h]
                    if b.action == "suspend":
                        suspended += 1
                    elif h not in st.suspects:
                        benign.add(b.org_id)
                hit = suspended >= 3 and len(benign) <= spec.rare
                memo[(kind, value)] = hit
            if hit:
                return True
        return False

    def _account_scores(self, t: float) -> None:
        st = self.state
        memo: dict[tuple[str, Any], bool] = {}
        for i in sorted(st.dirty):
            a = st.accounts[i]
            org = st.orgs.get(a.org_id)
            sigs = content_signals(a) + context_signals(
                a, org_country=org.declared_country if org else "",
                edu_hits=a.netclass.get("education", 0),
                release_pivot=self._release_pivot(a, t), window_start=st.window_start)
            content = min(CATEGORY_CAPS["content"],
                          noisy_or(s.weight for s in sigs if s.category == "content"))
            context = min(CATEGORY_CAPS["context"],
                          noisy_or(s.weight for s in sigs if s.category == "context"))
            own, _capped = combine({"content": content, "context": context}, self.config)
            st.cached[i] = _Cached(content, context, sigs, own)
            self._index_dominant(a)
            if (content >= self.config.suspect or noisy_or([content, context]) >= 0.25
                    or self._known_template(a, memo)):
                st.suspects.add(i)
            else:
                st.suspects.discard(i)
        st.scored, st.dirty = st.dirty, set()

    def _index_dominant(self, a: AccountState) -> None:
        """Index the prompt skeletons that dominate this account's traffic."""
        cfg = self.config
        if a.n < cfg.dominant_count:
            return
        floor = max(cfg.dominant_count, cfg.dominant_share * a.n)
        for key, count in a.skeletons.items():
            if count >= floor:
                kind = "skeleton_short" if is_short_key(key) else "skeleton"
                self.state.index.add(kind, key, a.idx)
        # a family of several skeletons (fills changing both ends); it need not dominate:
        # a pool of paraphrased templates gives each a small share (docs/detect.md)
        near_floor = max(cfg.dominant_count, cfg.near_share * a.near_n)
        for fam, (count, variants, _first) in a.near.items():
            if variants >= 2 and count >= near_floor:
                self.state.index.add("skeleton_near", fam, a.idx)

    def checkpoint(self, t: float) -> CheckpointResult:
        """Score everything known before ``t`` and report the action changes."""
        from ringfence.detect.clusters import score_clusters
        from ringfence.detect.cohort import mark_cohorts

        st = self.state
        self._run_model()
        self._near_families()
        self._synchrony()
        self._account_scores(t)
        mark_cohorts(st)  # evidence across a program's holders (light accounts)
        st.links.refresh(st.index, st.accounts, self.config)
        labels, joined = st.links.components(st.index, st.accounts, st.suspects, self.config)
        cp = iso(t)
        rows, findings = score_clusters(st, labels, joined, t=t, checkpoint=cp,
                                        combine=lambda c: combine(c, self.config),
                                        action_for=lambda s: action_for(s, self.config),
                                        max_action=max_action)
        st.checkpoints += 1
        st.last_checkpoint = t
        return CheckpointResult(cp, rows, findings)
