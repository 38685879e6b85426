#!/usr/bin/env bash
# Set up ringfence on a fresh machine with Python 3.11+ and pip: a virtualenv in .venv with
# the package and its development tools. Safe to run again; it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "ringfence needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi

# Debian packages the project needs; listed here so a new machine gets them (only the
# missing ones are installed).
APT_PACKAGES=(libicu-dev pkg-config g++)  # PyICU builds from source against ICU
# the reference gateway the nginx test starts (auth_request), and the soak benchmark's
# load generator (issue 20)
APT_PACKAGES+=(nginx wrk)
APT_PACKAGES+=(chromium)  # the console's browser tests drive it (Playwright never downloads one)
# Mueller's English-Russian dictionary (dictd files): a source of the name lexicon, read
# only when benchmarks/build_lexicon.py compiles it again
APT_PACKAGES+=(mueller7-dict)
# FreeDict's English-Arabic dictionary (dictd files, GPL-3+): the same, for Arabic
# (benchmarks/lexicon_sources_ar.py)
APT_PACKAGES+=(dict-freedict-eng-ara)
# the Spark engine (pyspark 4) runs on Java 17 or newer: Debian's headless JRE when no
# java is found
if ! command -v java >/dev/null; then APT_PACKAGES+=(openjdk-17-jre-headless); fi
if ((${#APT_PACKAGES[@]})) && command -v apt-get >/dev/null; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    apt-get update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}"
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
EXTRAS="${RINGFENCE_EXTRAS:-dev,spark}"  # spark: pyspark, the Spark engine
.venv/bin/python -m pip install -q -e ".[${EXTRAS}]"
echo "ringfence is set up in .venv ($(.venv/bin/ringfence --version 2>/dev/null || echo installed))"
