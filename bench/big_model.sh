#!/usr/bin/env bash
# Big-model memory check: `avss score` on a random-weight Llama-3-8B-shape GGUF (32 layers, hidden
# 4096, GQA 32/8, FFN 14336, vocab 128256; Q8_0, 8.5 GB), 2,048 corpus tokens, compact weights;
# reports wall time and peak resident memory (GNU time's "Maximum resident set size") next to the
# machine's MemTotal.
#
#   bench/big_model.sh [--avss PATH] [--model PATH] [--corpus PATH] [--weights fp32|q8|none]
#                      [--max-tokens N] [--threads N] [--] [extra 'avss score' options...]
#
# --model defaults to $AVSS_BIG_MODEL or ${XDG_CACHE_HOME:-$HOME/.cache}/avss-explorer/bench/
# random-llama-8b.Q8_0.gguf; when that file is missing it is made first with
# tools/make_random_gguf.py --preset 8b (stdlib Python 3, about 1-2 min, needs ~8.5 GB of disk).
# --weights (default q8) is passed to avss score as is; 'none' leaves the flag out (a build without
# it loads fp32: ~32 GB for this shape). Other arguments go to `avss score` unchanged, e.g.
# `--seq-len 2048 --batch 1` for one 2,048-token window instead of avss's default 8 x 256.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

avss="$root/build/app/cli/avss"
model="${AVSS_BIG_MODEL:-${XDG_CACHE_HOME:-$HOME/.cache}/avss-explorer/bench/random-llama-8b.Q8_0.gguf}"
corpus=""
[[ -f /work/shared/data/wikitext2/test.txt ]] && corpus=/work/shared/data/wikitext2/test.txt
weights=q8
max_tokens=2048
threads=""
extra=()
while (($#)); do
  case "$1" in
    --avss) avss=$2; shift 2 ;;
    --model) model=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    --weights) weights=$2; shift 2 ;;
    --max-tokens) max_tokens=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
    --) shift; extra+=("$@"); break ;;
    *) extra+=("$1"); shift ;;
  esac
done

die() { echo "big_model.sh: $*" >&2; exit 2; }
[[ -x "$avss" ]] || die "no avss binary at $avss (build it first, or pass --avss PATH)"
[[ -n "$corpus" ]] || die "no corpus: /work/shared/data/wikitext2/test.txt does not exist; pass --corpus PATH (any plain-text file with >= $max_tokens tokens)"
[[ -f "$corpus" ]] || die "corpus $corpus does not exist"
[[ -x /usr/bin/time ]] || die "/usr/bin/time (GNU time) is needed for the peak-memory figure (Debian/Ubuntu: apt-get install time)"
case "$weights" in
  fp32|q8) weight_args=(--weights "$weights")
           score_help=$("$avss" score --help 2>&1 || true)
           [[ "$score_help" == *--weights* ]] ||
             die "$avss has no 'score --weights' option (build a newer avss, or pass --weights none to load fp32)" ;;
  none) weight_args=() ;;
  *) die "--weights must be fp32, q8 or none (got '$weights')" ;;
esac

if [[ ! -f "$model" ]]; then
  command -v python3 >/dev/null || die "python3 is needed to make $model"
  mkdir -p "$(dirname "$model")"
  avail_kb=$(df -Pk "$(dirname "$model")" | awk 'NR == 2 {print $4}')
  ((avail_kb > 9 * 1024 * 1024)) || die "making the model needs ~8.5 GB free in $(dirname "$model") ($((avail_kb / 1024 / 1024)) GB free)"
  echo "== making $model (first use)" >&2
  python3 "$root/tools/make_random_gguf.py" --preset 8b --type Q8_0 --out "$model" >&2
fi

log=$(mktemp "${TMPDIR:-/tmp}/avss-big-model.XXXXXX")
timing="$log.time"
global=(--quiet)
[[ -n "$threads" ]] && global+=(--threads "$threads")
cmd=("$avss" "${global[@]}" score "$model" --data "$corpus" --max-tokens "$max_tokens" "${weight_args[@]}" "${extra[@]}")
echo "== ${cmd[*]}" >&2
echo "   (full output: $log)" >&2
set +e
/usr/bin/time -v -o "$timing" "${cmd[@]}" >"$log" 2>&1
rc=$?
set -e

field() { sed -n "s/^[[:space:]]*$1: //p" "$timing" | tail -n 1; }
peak_kb=$(field 'Maximum resident set size (kbytes)')
elapsed=$(field 'Elapsed (wall clock) time (h:mm:ss or m:ss)')
wall_s=$(awk -v t="$elapsed" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; ++i) s = s * 60 + p[i]; printf "%.1f", s }')
mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
gib() { awk -v k="$1" 'BEGIN { printf "%.2f", k / 1048576 }'; }
model_bytes=$(stat -c %s "$model")

echo
echo "big-model check ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(hostname))"
echo "  model        $model ($(awk -v b="$model_bytes" 'BEGIN { printf "%.2f", b / 2^30 }') GiB)"
echo "  corpus       $corpus"
echo "  command      $(echo avss score --max-tokens "$max_tokens" "${weight_args[@]}" "${extra[@]}")"
grep -E '^(analysed|tokens) ' "$log" | sed 's/^/  avss: /' || true
echo "  exit status  $rc"
echo "  wall time    ${wall_s} s"
echo "  peak RSS     $(gib "${peak_kb:-0}") GiB (${peak_kb:-?} kB, GNU time 'Maximum resident set size')"
echo "  MemTotal     $(gib "$mem_kb") GiB; peak RSS = $(awk -v p="${peak_kb:-0}" -v m="$mem_kb" 'BEGIN { printf "%.0f", 100 * p / m }')% of it"
if ((rc == 137)); then
  echo "  avss was killed by SIGKILL: most likely the kernel's OOM killer (see dmesg); the peak RSS above is where it stopped"
elif ((rc != 0)); then
  echo "  avss failed; last lines of its output:"
  tail -n 15 "$log" | sed 's/^/    /'
fi
rm -f "$timing"
exit "$rc"
