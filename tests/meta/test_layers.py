"""The layer contract in .importlinter holds: dependencies point inwards only."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("import-linter is a dev dependency; run scripts/setup.sh")
    result = subprocess.run([exe, "--config", str(ROOT / ".importlinter")], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


LOGIC = ("attribution", "resolve", "decide", "detect", "model", "policy")
# Calls that read settings or write files. Logic takes plain arguments; the adapters
# (snapshot, ingest, store, audit, render) do file I/O and the entry points (cli,
# service) read the environment.
_ENV = {("os", "environ"), ("os", "getenv"), ("os", "putenv"), ("Path", "home"),
        ("os.path", "expanduser")}
_WRITES = {"write_text", "write_bytes", "mkdir", "save", "savez", "savez_compressed",
           "dump", "rmtree", "unlink", "replace", "rename", "makedirs"}
# No exception: the screening index's files are written by an adapter
# (snapshot/screenindex.py), like every other cache.
_ALLOWED_WRITES: set[tuple[str, str]] = set()
# Packaged data (dictionaries, lexicons, lists) is read by an adapter (ringfence.packaged,
# traffic/enrich.py) and handed in. Named exception: the policy loader of the core reads
# a policy file by name or path, the one input every command takes.
_READS = {"policy/loader.py"}


def _dotted(node: object) -> str:
    import ast

    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def test_logic_reads_no_setting_and_writes_no_file() -> None:
    import ast

    found = []
    root = ROOT / "src" / "ringfence"
    for package in LOGIC:
        for path in sorted((root / package).rglob("*.py")):
            rel = str(path.relative_to(root))
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Attribute):
                    owner = _dotted(node.value)
                    if (owner, node.attr) in _ENV or (
                            owner.endswith("environ") and node.attr in {"get", "setdefault"}):
                        found.append(f"{rel}:{node.lineno} reads {owner}.{node.attr}")
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    name, owner = node.func.attr, _dotted(node.func.value)
                    if name in {"replace", "rename"} and owner != "os":
                        continue  # str.replace, dataclasses.replace: not file system calls
                    if name in _WRITES and (rel, name) not in _ALLOWED_WRITES:
                        found.append(f"{rel}:{node.lineno} calls {owner}.{name}()")
                if isinstance(node, ast.Call) and _dotted(node.func).split(".")[-1] in {
                        "files", "as_file", "read_text", "read_bytes"} and rel not in _READS:
                    found.append(f"{rel}:{node.lineno} reads a file ({_dotted(node.func)})")
                if isinstance(node, ast.Call) and _dotted(node.func).endswith("open"):
                    modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
                    modes += [k.value.value for k in node.keywords if k.arg == "mode"
                              and isinstance(k.value, ast.Constant)]
                    if any(isinstance(m, str) and set(m) & set("wax+") for m in modes):
                        found.append(f"{rel}:{node.lineno} opens a file to write")
    assert not found, "\n".join(found)


def test_screening_without_its_dictionaries_fails_closed() -> None:
    """Name analysis reads no packaged file itself: without the dictionaries an entry
    point hands in it refuses, naming what to call, rather than screening Chinese and
    Korean names blind."""
    from ringfence.exc import NotConfiguredError
    from ringfence.packaged import use_packaged_dictionaries
    from ringfence.resolve import analyse_name
    from ringfence.resolve.gloss import use_dictionaries

    use_dictionaries(None)
    try:
        with pytest.raises(NotConfiguredError, match="use_packaged_dictionaries"):
            analyse_name("蓝鲸测绘控股有限公司")
    finally:
        use_packaged_dictionaries()
    assert analyse_name("蓝鲸测绘控股有限公司")  # handed back in: works again
