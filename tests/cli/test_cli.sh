#!/usr/bin/env bash
# End-to-end checks of the avss command line on the tiny reference model: help, exit codes, every
# subcommand, and bad input giving one clear error. Usage: test_cli.sh AVSS_BINARY DATA_DIR
set -u
avss="$1"
data="$2"
tiny="$data/tiny_llama.gguf"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect CODE PATTERN -- COMMAND...: exit status CODE and PATTERN (grep -E) somewhere in stdout+stderr.
expect() {
  local code="$1" pattern="$2"
  shift 3
  local out
  out=$("$@" 2>&1)
  local got=$?
  if [[ $got -ne $code ]] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL: $* -> exit $got (want $code), pattern '$pattern'"
    echo "$out" | head -20 | sed 's/^/    /'
    failures=$((failures + 1))
  else
    echo "ok:   $*"
  fi
}

# capture FILE -- COMMAND...: exit status 0, stdout+stderr kept in FILE for the number checks below.
capture() {
  local file="$1"
  shift 2
  "$@" >"$file" 2>&1
  local got=$?
  if [[ $got -ne 0 ]]; then
    echo "FAIL: $* -> exit $got (want 0)"
    head -20 "$file" | sed 's/^/    /'
    failures=$((failures + 1))
    return 1
  fi
  echo "ok:   $*"
}

# Helpers for the python3 checks (python3 comes with scripts/setup.sh): the text of argv[1], the
# number after a label at the start of a line, and a range check that also rejects nan and inf.
pyhelpers='
import json, math, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
NUM = r"([-+]?(?:nan|inf|[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?))"
def num(label):
    m = re.search(r"^" + re.escape(label) + r"\s+" + NUM, text, re.M)
    assert m, "no number after %r in:\n%s" % (label, text[:2000])
    return float(m.group(1))
def within(x, lo, hi, what=""):
    assert x is not None and math.isfinite(x) and lo <= x <= hi, "%s = %r, want a finite number in [%r, %r]" % (what, x, lo, hi)
    return x
'

# pycheck WHAT FILE <<'PY' ... PY: the python3 script on stdin (with pyhelpers) exits 0 for FILE.
pycheck() {  # WHAT FILE [ARGS...]: the script on stdin sees FILE as argv[1], then ARGS
  local what="$1" file="$2" msg
  shift 2
  if msg=$(python3 -c "$pyhelpers
$(cat)" "$file" "$@" 2>&1); then
    echo "ok:   $what"
  else
    echo "FAIL: $what"
    echo "$msg" | tail -8 | sed 's/^/    /'
    failures=$((failures + 1))
  fi
}

expect 0 "^avss 0\.[0-9]+\.[0-9]+" -- "$avss" --version
expect 0 "Commands:" -- "$avss" --help
for c in info tokenize generate perplexity eval lens score prune sweep hallu mitigate; do
  expect 0 "Usage: avss $c" -- "$avss" "$c" --help
done
expect 2 "unknown command 'frobnicate'" -- "$avss" frobnicate
expect 2 "unknown option --bogus" -- "$avss" info "$tiny" --bogus
expect 2 "needs MODEL" -- "$avss" info
expect 2 "--window expects an integer" -- "$avss" perplexity "$tiny" --window abc

# The tiny model (tools/make_tiny_model.py): 3 layers, width 64, MLP 128, 4/2 heads of 16, vocabulary 300.
capture "$tmp/info.txt" -- "$avss" --quiet info "$tiny"
pycheck "info: sizes, rope base, norm epsilon and parameter count of the tiny model" "$tmp/info.txt" <<'PY'
assert (num("layers"), num("hidden size"), num("MLP width"), num("vocabulary")) == (3, 64, 128, 300)
assert num("rope base") == 10000 and num("norm epsilon") == 1e-5
# tied embeddings: V·H + final norm + 3 × (2 norms + q, k, v, o + gate, up, down)
assert num("parameters") == 300 * 64 + 64 + 3 * (2 * 64 + 64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 128), num("parameters")
PY
expect 0 "Q4_1" -- "$avss" --quiet info "$tiny" --tensors

# The BLAS report and the automatic kernel choice (docs/engine.md, "BLAS kernels").
pycheck "info: the BLAS, its kernel set and why, a measured GEMM rate" "$tmp/info.txt" <<'PY'
assert re.search(r"^BLAS +(OpenBLAS \S+.*|unknown BLAS)$", text, re.M), text
if re.search(r"^BLAS +OpenBLAS", text, re.M):
    assert re.search(r"^BLAS kernels +\w+, \S", text, re.M), text
    within(num("BLAS fp32 GEMM"), 0.1, 1e6, "BLAS fp32 GEMM")
PY
expect 0 "^BLAS (OpenBLAS .*; kernels \w+, [0-9]+ threads; |unknown BLAS)" -- "$avss" --version
kernels=$(sed -n 's/^BLAS kernels *\([A-Za-z]*\),.*/\1/p' "$tmp/info.txt")
# What OpenBLAS loads by itself (no switch): the kernels the runs below keep when avss does not re-execute.
# On a CPU this OpenBLAS does not know it is Prescott, not $kernels.
native=$(env -u OPENBLAS_CORETYPE -u AVSS_BLAS_SWITCHED AVSS_KEEP_BLAS_KERNELS=1 "$avss" --quiet info "$tiny" |
         sed -n 's/^BLAS kernels *\([A-Za-z]*\),.*/\1/p')
if [[ $kernels =~ ^(Haswell|Zen|SkylakeX|Cooperlake|SapphireRapids)$ ]]; then
  # Pretend OpenBLAS loaded its generic kernels: the first start checks the better set in two probe
  # children, caches the verdict and re-executes once with OPENBLAS_CORETYPE; the second start re-executes
  # from the cached verdict without probing. strace (where it works) counts the execs.
  xdg="$tmp/xdg"
  pretend=(env -u OPENBLAS_CORETYPE -u AVSS_BLAS_SWITCHED -u AVSS_KEEP_BLAS_KERNELS XDG_CACHE_HOME="$xdg" AVSS_BLAS_PRETEND_CORENAME=Prescott)
  tracer=()
  # LeakSanitizer cannot run under ptrace: the sanitizer build's leak check is off for the traced runs only.
  noleak="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
  if strace -f -qq -o /dev/null true 2>/dev/null; then tracer=(env "$noleak" strace -f -qq -e trace=execve -o "$tmp/execs1.txt"); fi
  capture "$tmp/switch1.txt" -- "${pretend[@]}" "${tracer[@]}" "$avss" --quiet info "$tiny"
  [[ ${#tracer[@]} -gt 0 ]] && tracer=(env "$noleak" strace -f -qq -e trace=execve -o "$tmp/execs2.txt")
  capture "$tmp/switch2.txt" -- "${pretend[@]}" "${tracer[@]}" "$avss" --quiet info "$tiny"
  cat "$xdg"/avss-explorer/blas-kernels/*.txt >"$tmp/verdict.txt" 2>/dev/null
  pycheck "info with a pretended generic core: checked once, re-executed with OPENBLAS_CORETYPE, then from the cache" "$tmp/switch1.txt" <<'PY'
import glob, os
d = os.path.dirname(sys.argv[1])
verdict = open(os.path.join(d, "verdict.txt")).read()
m = re.search(r"^candidate (\w+)$", verdict, re.M)
assert m and re.search(r"^adopt yes$", verdict, re.M) and re.search(r"vs Prescott [0-9.]+ GFLOP/s", verdict), verdict
cand = m.group(1)
for name in ("switch1.txt", "switch2.txt"):
    out = open(os.path.join(d, name)).read()
    # openblas_get_corename() names the forced set, and the reason says who forced it and why
    assert re.search(r"^BLAS kernels +%s, switched by avss from Prescott: Prescott kernels on a CPU with .*passed this machine's self-check.*; OPENBLAS_CORETYPE=%s; decided as if" % (cand, cand), out, re.M), out
for name, probes in (("execs1.txt", 2), ("execs2.txt", 0)):
    path = os.path.join(d, name)
    if not os.path.exists(path):
        continue  # no strace here
    calls = [l for l in open(path) if 'execve("/proc/self/exe"' in l and "= 0" in l]
    reexecs = [l for l in calls if '["/proc/self/exe"]' not in l]
    assert len(reexecs) == 1, (name, calls)                            # exactly one re-exec, no loop
    assert len(calls) - len(reexecs) in (probes, probes + 2), (name, calls)  # probe children (+2: confirmation round)
PY
  verdict_file=$(ls "$xdg"/avss-explorer/blas-kernels/*.txt 2>/dev/null | head -1)
  expect 0 "^BLAS kernels +$kernels, OPENBLAS_CORETYPE set by the user; OPENBLAS_CORETYPE=$kernels;" -- \
    env AVSS_BLAS_PRETEND_CORENAME=Prescott XDG_CACHE_HOME="$xdg" OPENBLAS_CORETYPE="$kernels" "$avss" --quiet info "$tiny"
  expect 0 "^BLAS kernels +$native, automatic choice turned off \(AVSS_KEEP_BLAS_KERNELS\); decided as if" -- \
    "${pretend[@]}" AVSS_KEEP_BLAS_KERNELS=1 "$avss" --quiet info "$tiny"
  expect 0 "^BLAS kernels +$native, switched by avss earlier; decided as if" -- \
    "${pretend[@]}" AVSS_BLAS_SWITCHED=earlier "$avss" --quiet info "$tiny"  # the loop marker: no second exec
  if [[ -n $verdict_file ]]; then
    sed -i 's/^adopt yes$/adopt no/' "$verdict_file"  # a failed check: never tried again on this machine
    expect 0 "^BLAS kernels +$native, Prescott kernels on a CPU with .*failed this machine's self-check, not tried again" -- \
      "${pretend[@]}" "$avss" --quiet info "$tiny"
  fi
fi
capture "$tmp/ids.txt" -- "$avss" --quiet tokenize "$tiny" "hello there" --ids
pycheck "tokenize --ids: integers inside the vocabulary" "$tmp/ids.txt" <<'PY'
ids = [int(t) for t in text.split()]
assert ids and all(0 <= i < 300 for i in ids), ids
PY
# A SentencePiece vocabulary (tools/make_tiny_spm.py): BOS, then sentencepiece's own ids for the text.
expect 0 "^1 304 303 290$" -- "$avss" --quiet tokenize "$data/tiny_spm.gguf" "Hello world" --ids
# A Hugging Face folder (tools/make_tiny_family.py): the tokenizers library's ids; info names the format; a pruned copy is a folder.
expect 0 "^75 104 295 297 111 103$" -- "$avss" --quiet tokenize "$data/tiny_qwen2_hf" "Hello world" --ids
expect 0 "safetensors" -- "$avss" --quiet info "$data/tiny_mistral_hf"
expect 0 "sliding window of 8" -- "$avss" --quiet info "$data/tiny_mistral_hf"
expect 0 "sliding window of 8 tokens on blocks 0,1,2,3,4 \(RoPE base 10000, unscaled\); full causal on blocks 5 \(RoPE base 1e\+06\)" -- "$avss" --quiet info "$data/tiny_gemma3_hf"
expect 0 "scores x 1/sqrt\(32\), softcapped at 2; logits softcapped at 3" -- "$avss" --quiet info "$data/tiny_gemma2.gguf"
expect 0 "positions +learned absolute positions \(256\)" -- "$avss" --quiet info "$data/tiny_gpt2_hf"
expect 2 "window 512 exceeds the model's context length 256" -- "$avss" --quiet perplexity "$data/tiny_gpt2.gguf" --window 512
expect 0 "self-check +passed" -- "$avss" --quiet prune "$data/tiny_qwen2_hf" --remove 1 --out "$tmp/hf_pruned"
expect 0 "self-check +passed" -- "$avss" --quiet prune "$data/tiny_qwen2.gguf" --remove 1 --format hf --out "$tmp/from_gguf"
expect 0 "safetensors" -- "$avss" --quiet info "$tmp/from_gguf"
expect 0 "self-check +passed" -- "$avss" --quiet prune "$data/tiny_gemma2_hf" --remove 0 --format gguf --out "$tmp/from_folder.gguf"
expect 0 "attention +full causal$" -- "$avss" --quiet info "$tmp/from_folder.gguf"
expect 2 "--format expects 'same', 'hf' or 'gguf'" -- "$avss" --quiet prune "$data/tiny_qwen2.gguf" --remove 1 --format onnx --out "$tmp/x"
expect 0 "self-check +passed" -- "$avss" --quiet prune "$data/tiny_llama_rope_llama3.gguf" --remove 1 --format hf --out "$tmp/rope_folder"
expect 0 "layers +1" -- "$avss" --quiet info "$tmp/hf_pruned"
expect 2 "hf_pruned: already exists" -- "$avss" --quiet prune "$data/tiny_qwen2_hf" --remove 0 --out "$tmp/hf_pruned"
mkdir -p "$tmp/hf_broken" && cp "$data/tiny_qwen2_hf"/* "$tmp/hf_broken/" && sed -i '/"num_hidden_layers"/d' "$tmp/hf_broken/config.json"
expect 3 "hf_broken/config.json: key 'num_hidden_layers' is missing" -- "$avss" --quiet info "$tmp/hf_broken"
# avss lens: a row per block plus the embeddings; the last row's top token is the model's own prediction.
capture "$tmp/lens.txt" -- "$avss" --quiet lens "$tiny" "the cat sat on" --skip-layers 1 --out "$tmp/lens.json"
pycheck "lens: embeddings + 3 block rows (block 1 skipped), last row = the model's prediction, JSON and table agree" "$tmp/lens.txt" <<'PY'
import os
doc = json.load(open(os.path.join(os.path.dirname(sys.argv[1]), "lens.json")))
assert doc["format"] == "avss-logit-lens" and [r["layer"] for r in doc["rows"]] == ["embeddings", 0, 1, 2], doc["rows"]
assert doc["rows"][2]["skipped"] and not doc["rows"][2]["positions"]
for p, tok in enumerate(doc["tokens"]):
    assert doc["rows"][-1]["positions"][p]["top"][0]["id"] == tok["prediction"], p
assert "(skipped)" in text and "top-1 next token after each layer" in text, text
PY
expect 2 "position" -- "$avss" --quiet lens "$tiny" "the cat" --position 99
expect 2 "every block is skipped" -- "$avss" --quiet lens "$tiny" "the cat" --skip-layers 0-2
capture "$tmp/gen.txt" -- "$avss" generate "$tiny" "the" --max-new-tokens 4 --ignore-eos --ids
pycheck "generate --ids: exactly 4 token ids inside the vocabulary" "$tmp/gen.txt" <<'PY'
lines = [l for l in text.splitlines() if re.fullmatch(r"[0-9]+( [0-9]+)*", l)]  # stdout; progress goes to stderr
assert len(lines) == 1, text
ids = [int(t) for t in lines[0].split()]
assert len(ids) == 4 and all(0 <= i < 300 for i in ids), ids
assert re.search(r"^4 tokens in " + NUM + " s", text, re.M), text
PY
capture "$tmp/ppl.txt" -- "$avss" --quiet perplexity "$tiny" --text builtin --window 64 --max-tokens 256
pycheck "perplexity: 4 windows, 252 predictions, finite NLL and perplexity = exp(NLL)" "$tmp/ppl.txt" <<'PY'
assert re.search(r"^windows\s+4 x 64 tokens, no BOS", text, re.M), text  # the tiny tokenizer adds no BOS
assert num("predicted") == 4 * 63
nll, ppl = num("mean NLL"), num("perplexity")
# random weights predict worse than uniform guessing over 300 tokens (about 1800), but not absurdly so
within(ppl, 300.0, 10 * 300, "perplexity")
assert abs(math.log(ppl) - nll) < 1e-4 * nll, (nll, ppl)
PY
capture "$tmp/pplbos.txt" -- "$avss" --quiet perplexity "$tiny" --text builtin --window 64 --max-tokens 256 --bos
pycheck "perplexity --bos: BOS before each window, every window token predicted" "$tmp/pplbos.txt" <<'PY'
assert re.search(r"^windows\s+4 x 64 tokens after BOS", text, re.M), text
assert num("predicted") == 4 * 64
PY
expect 2 "--bos and --no-bos contradict each other" -- "$avss" --quiet perplexity "$tiny" --text builtin --bos --no-bos

# bf16 weights: the same perplexity within 1 %, or (CPU without AVX-512) one refusal that says what to use.
if grep -q "^bf16 products *oneDNN" "$tmp/info.txt"; then
  capture "$tmp/ppl16.txt" -- "$avss" --quiet perplexity "$tiny" --text builtin --window 64 --max-tokens 256 --weights bf16
  pycheck "perplexity with bf16 weights: within 1 % of fp32" "$tmp/ppl16.txt" <<PY
ref = $(sed -n 's/^perplexity *//p' "$tmp/ppl.txt")
within(num("perplexity") / ref, 0.99, 1.01, "bf16 / fp32 perplexity")
PY
  expect 0 "^weights +bf16, " -- "$avss" --quiet info "$tiny" --weights bf16
else
  expect 3 "bf16 weights on the CPU need AVX-512.*Use fp32" -- "$avss" --quiet info "$tiny" --weights bf16
fi

# bad input: one clear error naming the file, the right exit code
expect 4 "$tmp/absent.gguf: cannot open file" -- "$avss" --quiet info "$tmp/absent.gguf"
head -c 1000 "$tiny" > "$tmp/truncated.gguf"
expect 3 "$tmp/truncated.gguf: .*truncated" -- "$avss" --quiet info "$tmp/truncated.gguf"
printf 'not a model at all' > "$tmp/text.gguf"
expect 3 "$tmp/text.gguf: not a GGUF file" -- "$avss" --quiet info "$tmp/text.gguf"
expect 3 "is a folder" -- "$avss" --quiet info "$tmp"
printf '\x00\x01\x02binary' > "$tmp/binary.txt"
expect 3 "$tmp/binary.txt: contains a NUL byte" -- "$avss" --quiet perplexity "$tiny" --text "$tmp/binary.txt"
: > "$tmp/empty.txt"
expect 3 "$tmp/empty.txt: contains no text" -- "$avss" --quiet perplexity "$tiny" --text "$tmp/empty.txt"
printf '{"text": "ok"}\n{"txt": "no"}\n' > "$tmp/bad.jsonl"
expect 3 "$tmp/bad.jsonl:2: field 'text' is missing" -- "$avss" --quiet perplexity "$tiny" --text "$tmp/bad.jsonl"

# core errors speak in domain words (no flag before the note); the CLI appends the flags of the
# settings they are about
expect 2 "is outside 2\.\.[0-9]+ \(the model's context length\) \(see --seq-len\)$" -- \
  "$avss" --quiet score "$tiny" --data builtin --seq-len 1000000
expect 2 "fewer than one sequence of 64 tokens\. Use more tokens, a longer text or a smaller sequence length\. \(see --seq-len, --max-tokens\)$" -- \
  "$avss" --quiet score "$tiny" --data builtin --seq-len 64 --max-tokens 10
expect 2 "^avss: error: device must be auto, cpu or cuda, got 'gpu' \(see --device\)$" -- "$avss" --quiet info "$tiny" --device gpu
expect 4 "file not found\. Analyse the model into this cache file first\. \(see --cache, --from-cache\)$" -- \
  "$avss" --quiet score --from-cache "$tmp/absent.h5"

# pruning: explicit layers, reload check, and the result loads with fewer layers
capture "$tmp/prune.txt" -- "$avss" --quiet prune "$tiny" --remove 1 --out "$tmp/pruned.gguf"
pycheck "prune: 3 -> 2 layers, block 1 removed, reloaded logits equal the skip-mask forward" "$tmp/prune.txt" <<'PY'
assert re.search(r"^layers\s+3 -> 2$", text, re.M) and re.search(r"^removed\s+1$", text, re.M), text
m = re.search(r"^self-check   passed: .* max \|diff\| " + NUM + r" \(max \|logit\| " + NUM + r"\)", text, re.M)
assert m, text
diff, top = float(m.group(1)), float(m.group(2))
within(top, 1e-3, 1e3, "max |logit|")
within(diff, 0.0, 1e-5 * top, "max |diff|")
PY
capture "$tmp/info2.txt" -- "$avss" --quiet info "$tmp/pruned.gguf"
pycheck "info of the pruned model: 2 layers, one block's parameters fewer" "$tmp/info2.txt" <<'PY'
assert num("layers") == 2
assert num("parameters") == 300 * 64 + 64 + 2 * (2 * 64 + 64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 128), num("parameters")
PY
expect 2 "layer 9 does not exist" -- "$avss" --quiet prune "$tiny" --remove 9 --out "$tmp/p9.gguf"

# scoring: a cache, then scores from the cache without the model, then a plan applied by prune
rule=(--rule count --count 1 --protect none)
expect 0 "avss-paper" -- "$avss" --quiet score "$tiny" --data builtin --seq-len 32 --max-tokens 1024 --shards 2 \
  --cache "$tmp/a.h5" --out "$tmp/s.json" "${rule[@]}"
pycheck "score --out: schema, provenance, every metric finite with ranks, plans of the requested size" "$tmp/s.json" <<'PY'
r = json.loads(text)
assert r["schema"] == "avss-scores" and r["schema_version"] == 3 and r["layer_count"] == 3 and r["measured"] == []
assert re.fullmatch(r"[0-9a-f]{24}", r["provenance"]["analysis_key"]) and r["unavailable_metrics"] == []
p = r["provenance"]
assert (p["tokens"], p["sequences"], p["sequence_length"], p["shards"]) == (1024, 32, 32, 2), p
ids = [m["id"] for m in r["metrics"]]
assert ids == ["avss-paper", "avss-reference-code", "avss-rel", "avss-mlp", "avss-mlp-abs", "avss-mlp-hoyer",
               "bi", "angular", "angular-all", "update-norm", "reverse", "random"], ids
for m in r["metrics"]:
    data = m["id"] not in ("reverse", "random")
    assert [l["layer"] for l in m["layers"]] == [0, 1, 2], m["id"]
    assert sorted(l["rank"] for l in m["layers"]) == [0, 1, 2], m["id"]
    assert sorted(m["prune_order"]) == [0, 1, 2] and m["layers"][m["prune_order"][0]]["rank"] == 0, m["id"]
    for l in m["layers"]:
        within(l["value"], 0.0, 1e12, m["id"] + " value")
        within(l["mean"], 0.0, 1e12, m["id"] + " mean")
        within(l["sd"], 0.0, 1e12, m["id"] + " sd")  # two shards: sd exists
        within(l["bottom_frequency"], 0.0, 1.0, m["id"] + " bottom_frequency")
    bound = {"bi": 2.0, "angular": 1.0, "angular-all": 1.0, "random": 1.0, "reverse": 2.0}.get(m["id"])  # 1 − cos, angle / π
    if bound:
        for l in m["layers"]: within(l["value"], 0.0, bound, m["id"])
    if m["id"].startswith("avss-"):
        for v in m["components"]["variance"]: within(v, 1e-12, 1e6, m["id"] + " variance")
        for v in m["components"]["sparsity"]: within(v, 0.0, 1.0, m["id"] + " sparsity")
    if data:
        st = m["stability"]
        assert st["applicable"] and st["shards"] == 2, m["id"]
        within(st["kendall_tau_mean"], -1.0, 1.0, m["id"] + " tau")
    assert m["plan"]["removed"] == [m["prune_order"][0]], (m["id"], m["plan"])
    assert sorted(m["plan"]["removed"] + m["plan"]["kept"]) == [0, 1, 2], m["id"]
tau = r["agreement"]["kendall_tau"]
assert len(tau) == len(ids) and all(len(row) == len(ids) for row in tau)
for row in tau:
    for v in row:
        assert v is None or -1.0 - 1e-12 <= v <= 1.0 + 1e-12, v
PY
capture "$tmp/cached.txt" -- "$avss" --quiet score --from-cache "$tmp/a.h5" --out "$tmp/c.json" "${rule[@]}"
pycheck "score --from-cache gives the same values as the scoring pass" "$tmp/c.json" <<'PY'
import os
fresh = json.load(open(os.path.join(os.path.dirname(sys.argv[1]), "s.json")))
values = lambda r: [[l["value"] for l in m["layers"]] for m in r["metrics"]]
assert values(json.loads(text)) == values(fresh)
PY
capture "$tmp/planned.txt" -- "$avss" --quiet prune "$tiny" --from-cache "$tmp/a.h5" --metric bi "${rule[@]}" --out "$tmp/planned.gguf"
pycheck "prune --from-cache --metric bi removes BI's first layer to prune" "$tmp/planned.txt" <<'PY'
import os
scores = json.load(open(os.path.join(os.path.dirname(sys.argv[1]), "s.json")))
bi = next(m for m in scores["metrics"] if m["id"] == "bi")
assert re.search(r"^removed\s+%d$" % bi["prune_order"][0], text, re.M), (bi["prune_order"], text)
assert re.search(r"^layers\s+3 -> 2$", text, re.M) and "self-check   passed" in text, text
PY
expect 0 "layers +2" -- "$avss" --quiet info "$tmp/planned.gguf"
# Without --metric, prune applies the default metric that --help names (the core's defaultPruneMetric).
capture "$tmp/prune-help.txt" -- "$avss" prune --help
default_metric=$(sed -n 's/.*--metric ID .*(default: \([a-z:-]*\))$/\1/p' "$tmp/prune-help.txt")
capture "$tmp/default-plan.txt" -- "$avss" --quiet prune "$tiny" --from-cache "$tmp/a.h5" "${rule[@]}" --out "$tmp/default.gguf"
pycheck "prune without --metric removes the first layer of the default metric ($default_metric) that --help names" "$tmp/default-plan.txt" "$default_metric" <<'PY'
import os
scores = json.load(open(os.path.join(os.path.dirname(sys.argv[1]), "s.json")))
m = next(m for m in scores["metrics"] if m["id"] == sys.argv[2])
assert re.search(r"^removed\s+%d$" % m["prune_order"][0], text, re.M), (m["prune_order"], text)
PY

# one cache-or-collect policy with the explorer (core obtainStats / buildScoreReport)
capture "$tmp/abs.txt" -- "$avss" --quiet score "$tiny" --data builtin --seq-len 32 --max-tokens 1024 --shards 2 \
  --abs-thresholds 1e-4 --out "$tmp/abs.json"
pycheck "score lists the metrics these thresholds cannot score, with the reason, and goes on" "$tmp/abs.json" <<'PY'
r = json.loads(text)
u = {x["id"]: x["reason"] for x in r["unavailable_metrics"]}
assert set(u) == {"avss-paper", "avss-mlp-abs"}, u
assert "1e-05" in u["avss-paper"] and "avss-paper" not in [m["id"] for m in r["metrics"]], u
PY
expect 2 "avss-paper needs the absolute near-zero threshold" -- "$avss" --quiet score "$tiny" --data builtin --seq-len 32 \
  --max-tokens 1024 --abs-thresholds 1e-4 --metrics bi,avss-paper --cache "$tmp/never.h5"
if [[ -e "$tmp/never.h5" ]]; then echo "FAIL: a refused metric list still collected and wrote a cache"; failures=$((failures + 1)); fi
printf 'not a cache' >"$tmp/foreign.h5"
expect 4 "foreign.h5: not an HDF5 file.*neither used nor replaced" -- "$avss" --quiet score "$tiny" --data builtin \
  --seq-len 32 --max-tokens 1024 --cache "$tmp/foreign.h5"
# measured importance on the same text: in the tables and --out, and a measured plan applied by prune
measured=(--measured loo-ppl,sleb,iterative:bi --measured-tokens 256 --measured-window 64 --max-removed 2 --protect none
          --rule count --count 2)
capture "$tmp/measured.txt" -- "$avss" --quiet score "$tiny" --data builtin --seq-len 32 --max-tokens 1024 --shards 2 \
  --metrics bi "${measured[@]}" --out "$tmp/measured.json"
pycheck "score --measured: loo-ppl, sleb and iterative:bi with orders, steps and plans in --out" "$tmp/measured.json" <<'PY'
r = json.loads(text)
ids = [m["id"] for m in r["metrics"]]
assert ids == ["bi", "loo-ppl", "sleb", "iterative:bi"], ids
meas = {m["id"]: m for m in r["measured"]}
loo, sleb, it = meas["loo-ppl"], meas["sleb"], meas["iterative:bi"]
assert sorted(loo["removal_order"]) == [0, 1, 2] and loo["forward_passes"] == 4, loo
for s in loo["steps"]:
    assert abs(s["value"] - (s["nll"] - loo["dense_nll"])) < 1e-12, s
assert loo["calibration"] == {"tokens": 256, "windows": 4, "window": 64, "bos_per_window": False}, loo["calibration"]
assert sleb["removal_order"][0] == loo["removal_order"][0], (sleb, loo)  # the greedy first step is LOO's argmin
assert len(sleb["removal_order"]) == 2 and (sleb["forward_passes"], sleb["reused_passes"]) == (6, 4), sleb
assert len(it["removal_order"]) == 2 and it["forward_passes"] == 2, it
plans = {m["id"]: m["plan"]["removed"] for m in r["metrics"]}
assert plans["sleb"] == sleb["removal_order"] and plans["iterative:bi"] == it["removal_order"], plans
assert plans["loo-ppl"] == loo["removal_order"][:2], plans
assert len(r["agreement"]["kendall_tau"]) == 4
PY
pycheck "score --measured prints each order" "$tmp/measured.txt" <<'PY'
assert re.search(r"^  sleb: 256 calibration tokens in 4 windows of 64, 6 passes \(4 measured already\)", text, re.M), text
assert re.search(r"^    removal order: \d \([-+]", text, re.M), text
PY
capture "$tmp/measured-prune.txt" -- "$avss" --quiet prune "$tiny" --data builtin --metric sleb --measured-tokens 256 \
  --measured-window 64 --max-removed 1 --protect none --rule count --count 1 --out "$tmp/sleb.gguf"
pycheck "prune --data --metric sleb removes SLEB's first block" "$tmp/measured-prune.txt" <<'PY'
import os
r = json.load(open(os.path.join(os.path.dirname(sys.argv[1]), "measured.json")))
first = next(m for m in r["measured"] if m["id"] == "sleb")["removal_order"][0]
assert re.search(r"^removed\s+%d$" % first, text, re.M) and "self-check   passed" in text, text
PY
expect 2 "unknown measured metric 'sleeb'" -- "$avss" --quiet score "$tiny" --data builtin --measured sleeb --cache "$tmp/never.h5"
expect 2 "cannot remove 3 of 3 blocks" -- "$avss" --quiet score "$tiny" --data builtin --measured sleb --max-removed 3
expect 2 "cannot score from --from-cache" -- "$avss" --quiet score --from-cache "$tmp/a.h5" --measured loo-ppl
expect 2 "sleb is measured with forward passes" -- "$avss" --quiet score "$tiny" --data builtin --metrics bi,sleb
expect 2 "--data is for a measured --metric" -- "$avss" --quiet prune "$tiny" --data builtin --metric bi --out "$tmp/x.gguf"
if [[ -e "$tmp/never.h5" ]]; then echo "FAIL: a refused measured metric still collected and wrote a cache"; failures=$((failures + 1)); fi

auto=(score "$tiny" --data builtin --seq-len 32 --max-tokens 1024 --shards 2 --cache auto --out "$tmp/auto.json")
expect 0 "cache: wrote $tmp/xdg/avss-explorer/analyses/[0-9a-f]{24}\.h5" -- env XDG_CACHE_HOME="$tmp/xdg" "$avss" --quiet "${auto[@]}"
capture "$tmp/auto.txt" -- env XDG_CACHE_HOME="$tmp/xdg" "$avss" --quiet "${auto[@]}"
pycheck "score --cache auto names the file by the analysis key and finds it again" "$tmp/auto.txt" <<'PY'
import os
key = json.load(open(os.path.join(os.path.dirname(sys.argv[1]), "auto.json")))["provenance"]["analysis_key"]
assert re.search(r"cache: using .*/avss-explorer/analyses/%s\.h5$" % key, text, re.M), (key, text)
PY

# the explorer's Measure from the command line: the held-out text after the analysis's windows
capture "$tmp/heldout.txt" -- "$avss" --quiet perplexity "$tiny" --held-out-from "$tmp/a.h5" --text builtin --skip-layers 1
pycheck "perplexity --held-out-from starts after the calibration tokens and reports retention" "$tmp/heldout.txt" <<'PY'
m = re.search(r"^held-out text\s+builtin:sample: (\d+) tokens from token (\d+) \(the analysis used (\d+)\)$", text, re.M)
assert m and m.group(2) == m.group(3) == "1024" and int(m.group(1)) == 1024, text
dense, pruned = num("dense NLL"), num("pruned NLL")
within(dense, 0.1, 20, "dense NLL")
assert pruned != dense, text
assert abs(num("retention") - math.exp(dense) / math.exp(pruned)) < 1e-6, text
PY
printf 'Some other text that the analysis never saw, long enough to be a corpus.\n' >"$tmp/other.txt"
expect 2 "other.txt: not the analysis's calibration data" -- "$avss" --quiet perplexity "$tiny" --held-out-from "$tmp/a.h5" \
  --text "$tmp/other.txt"

# generate --prompts-file: many prompts in left-padded batches, one JSON line each in file order;
# greedy batch rows equal the single-prompt run; --stop cuts the text and ends the row early
printf 'the\n\nHello there, how are you\nOnce upon a time\n' >"$tmp/prompts.txt"
capture "$tmp/gen1.txt" -- "$avss" --quiet generate "$tiny" "Hello there, how are you" --max-new-tokens 12 --ignore-eos --ids
capture "$tmp/genb.txt" -- "$avss" generate "$tiny" --prompts-file "$tmp/prompts.txt" --max-new-tokens 12 --ignore-eos --batch 2
pycheck "generate --prompts-file: 3 JSON lines in file order, row 1 equals the single run, summary on stderr" "$tmp/genb.txt" <<'PY'
import os
rows = [json.loads(l) for l in text.splitlines() if l.startswith("{")]
assert [r["index"] for r in rows] == [0, 1, 2], text
assert [r["prompt"] for r in rows] == ["the", "Hello there, how are you", "Once upon a time"], rows
assert all(r["stop_reason"] == "length" and len(r["tokens"]) == 12 for r in rows), rows
single = open(os.path.join(os.path.dirname(sys.argv[1]), "gen1.txt")).read().split()
assert rows[1]["tokens"] == [int(t) for t in single], (rows[1], single)
m = re.search(r"^3 prompts, 36 new tokens in " + NUM + r" s \(" + NUM + r" tokens/s\)$", text, re.M)
assert m, text
PY
capture "$tmp/genfree.txt" -- "$avss" --quiet generate "$tiny" --prompts-file "$tmp/prompts.txt" --max-new-tokens 24 --ignore-eos
python3 - "$tmp/genfree.txt" >"$tmp/stop.txt" <<'PY'
import json, sys
t = [json.loads(l) for l in open(sys.argv[1])][1]["text"]   # a stop string the model really produces
print(next(t[i:i + 2] for i in range(len(t) // 3, len(t) - 1) if all(c.isalnum() or c in " .,;:" for c in t[i:i + 2])), end="")
PY
stop=$(cat "$tmp/stop.txt")
capture "$tmp/genstop.txt" -- "$avss" --quiet generate "$tiny" --prompts-file "$tmp/prompts.txt" --max-new-tokens 24 --ignore-eos --stop "$stop"
pycheck "generate --stop: the row producing the stop string ends early, its text cut before it" "$tmp/genstop.txt" <<'PY'
import os
d = os.path.dirname(sys.argv[1])
stop = open(os.path.join(d, "stop.txt")).read()
free = [json.loads(l) for l in open(os.path.join(d, "genfree.txt"))]
rows = [json.loads(l) for l in text.splitlines()]
assert len(rows) == 3 and stop, (stop, text)
for f, r in zip(free, rows):
    assert stop not in r["text"] and f["text"].startswith(r["text"]), (stop, f, r)
    assert r["tokens"] == f["tokens"][:len(r["tokens"])], (f, r)
    assert r["stop_reason"] == ("stop_string" if stop in f["text"] else "length"), (stop, f, r)
assert rows[1]["stop_reason"] == "stop_string" and len(rows[1]["tokens"]) < 24, rows[1]
assert rows[1]["text"] == free[1]["text"][:free[1]["text"].index(stop)], (stop, rows[1])
PY
capture "$tmp/genstop1.txt" -- "$avss" generate "$tiny" "Hello there, how are you" --max-new-tokens 24 --ignore-eos --stop "$stop"
pycheck "generate PROMPT --stop: the streamed text stops before the stop string" "$tmp/genstop1.txt" <<'PY'
import os
d = os.path.dirname(sys.argv[1])
stop = open(os.path.join(d, "stop.txt")).read()
free = [json.loads(l) for l in open(os.path.join(d, "genfree.txt"))][1]["text"]
assert "Hello there, how are you" + free[:free.index(stop)] + "\n" in text, (stop, text)
assert re.search(r"^[0-9]+ tokens in .*, stopped at the stop string$", text, re.M), text
PY
printf '{"prompt": "line one\\nline two"}\n\n{"prompt": "the"}\n' >"$tmp/prompts.jsonl"
capture "$tmp/genj.txt" -- "$avss" --quiet generate "$tiny" --prompts-file "$tmp/prompts.jsonl" --max-new-tokens 3 --ignore-eos
pycheck "generate --prompts-file FILE.jsonl: one prompt per record (\"prompt\" field)" "$tmp/genj.txt" <<'PY'
rows = [json.loads(l) for l in text.splitlines()]
assert [r["prompt"] for r in rows] == ["line one\nline two", "the"] and all(len(r["tokens"]) == 3 for r in rows), rows
PY
expect 4 "$tmp/no-prompts.txt: file not found" -- "$avss" --quiet generate "$tiny" --prompts-file "$tmp/no-prompts.txt"
printf '{"prompt": "ok"}\n{"text": "no"}\n' >"$tmp/badprompts.jsonl"
expect 3 "$tmp/badprompts.jsonl:2: field 'prompt' is missing" -- "$avss" --quiet generate "$tiny" --prompts-file "$tmp/badprompts.jsonl"
expect 2 "either PROMPT or --prompts-file" -- "$avss" --quiet generate "$tiny" "the" --prompts-file "$tmp/prompts.txt"
expect 2 "needs PROMPT" -- "$avss" --quiet generate "$tiny"
expect 2 "--batch must be between 1" -- "$avss" --quiet generate "$tiny" --prompts-file "$tmp/prompts.txt" --batch 0

# avss eval: every task's reader on the handmade fixtures, the result document, what-if, bad input.
ev="$data/eval"
for spec in "sciq sciq_allenai.json" "sciq sciq_instruction.json" "truthfulqa truthfulqa_mc.json" "truthfulqa truthfulqa.csv" \
            "sst2 sst2.tsv" "wikiqa wikiqa.tsv" "nq_open nq_open.jsonl" "triviaqa triviaqa_official.json" "triviaqa triviaqa_hf.jsonl"; do
  set -- $spec
  expect 0 "^time .*items/s" -- "$avss" --quiet eval "$tiny" --task "$1" --data "$ev/$2" --max-new-tokens 4
done
expect 0 "^perplexity +[0-9.]+ +\[" -- "$avss" --quiet eval "$tiny" --task perplexity --data builtin --window 64 --max-tokens 256
capture "$tmp/eval.txt" -- "$avss" --quiet eval "$tiny" --task sciq --data "$ev/sciq_allenai.json" --records --out "$tmp/eval.json" --batch 2
capture "$tmp/eval1.txt" -- "$avss" --quiet eval "$tiny" --task sciq --data "$ev/sciq_allenai.json" --records --out "$tmp/eval1.json" --batch 1
capture "$tmp/evalp.txt" -- "$avss" --quiet eval "$tiny" --task sciq --data "$ev/sciq_allenai.json" --records --out "$tmp/evalp.json" --skip-layers 1
pycheck "eval --out: the document matches the table, batch sizes agree, --skip-layers changes the log-likelihoods" "$tmp/eval.json" <<'PY'
import os
d = os.path.dirname(sys.argv[1])
doc = json.loads(text)
one = json.load(open(os.path.join(d, "eval1.json")))
pruned = json.load(open(os.path.join(d, "evalp.json")))
table = open(os.path.join(d, "eval.txt")).read()
acc = next(m for m in doc["metrics"] if m["name"] == "acc")
assert abs(acc["value"] - float(re.search(r"^acc +([0-9.]+)", table, re.M).group(1))) < 1e-4, (acc, table)
assert acc["floor"] == 0.25 and acc["ci_low"] <= acc["value"] <= acc["ci_high"], acc
assert doc["items"] == len(doc["records"]) > 0 and doc["task"] == "sciq", doc
for a, b in zip(doc["records"], one["records"]):
    for x, y in zip(a["loglik"][0], b["loglik"][0]):
        assert abs(x - y) < 2e-4, (a, b)
assert pruned["skip_layers"] == [1], pruned["skip_layers"]
assert any(abs(x - y) > 1e-3 for a, b in zip(doc["records"], pruned["records"]) for x, y in zip(a["loglik"][0], b["loglik"][0]))
PY
printf '{"question": "ok?", "answer": ["yes"]}\n{"question": 5}\nnot json\n' >"$tmp/bad_nq.jsonl"
expect 0 "2 malformed row\(s\) skipped" -- "$avss" --quiet eval "$tiny" --task nq_open --data "$tmp/bad_nq.jsonl" --max-new-tokens 2
expect 3 "bad_nq.jsonl: line 2: field .question. is not a string" -- "$avss" --quiet eval "$tiny" --task nq_open --data "$tmp/bad_nq.jsonl" --strict
expect 4 "$tmp/none.json: file not found" -- "$avss" --quiet eval "$tiny" --task sciq --data "$tmp/none.json"
expect 2 "unknown task" -- "$avss" --quiet eval "$tiny" --task mmlu --data "$ev/sst2.tsv"
expect 2 "--task NAME is required" -- "$avss" --quiet eval "$tiny" --data "$ev/sst2.tsv"
expect 2 "block 7|layer 7" -- "$avss" --quiet eval "$tiny" --task sst2 --data "$ev/sst2.tsv" --skip-layers 7
expect 2 "answer budget of 300 tokens leaves no room" -- "$avss" --quiet eval "$tiny" --task nq_open --data "$ev/nq_open.jsonl" --max-new-tokens 300
expect 2 "--records needs --out" -- "$avss" --quiet eval "$tiny" --task sst2 --data "$ev/sst2.tsv" --records

# avss sweep: cells next to the analysis cache (auto), JSON/CSV/plots, a second run evaluates nothing.
sweep=(sweep "$tiny" --task "sst2=$ev/sst2.tsv,perplexity=builtin" --metrics bi,reverse,random --seeds 1,2
       --counts 0,1,2 --protect none --window 64 --ppl-tokens 256 --max-tokens 512 --seq-len 32 --bootstrap 50)
# The random tiny model is at chance on both tasks: --sweep-at-chance scores their pruned cells anyway.
capture "$tmp/sweep1.txt" -- env XDG_CACHE_HOME="$tmp/xdg" "$avss" --quiet "${sweep[@]}" --sweep-at-chance --out "$tmp/sweep.json,$tmp/sweep.csv" --plots "$tmp/plots"
capture "$tmp/sweep2.txt" -- env XDG_CACHE_HOME="$tmp/xdg" "$avss" --quiet "${sweep[@]}" --sweep-at-chance --out "$tmp/sweep2.json"
capture "$tmp/sweep3.txt" -- env XDG_CACHE_HOME="$tmp/xdg" "$avss" --quiet "${sweep[@]}" --out "$tmp/sweep3.json"
pycheck "sweep: without --sweep-at-chance a task at chance gets its dense cell only, and says why" "$tmp/sweep3.txt" <<'PY'
import os
d = os.path.dirname(sys.argv[1])
doc = json.load(open(os.path.join(d, "sweep3.json")))
assert [c["removed"] for c in doc["cells"]] == [[], []] and doc["stored_cells_used"] == 2, doc["cells"]
assert all(t["at_chance"] and t["pruned_skipped"] for t in doc["tasks"])
out = open(sys.argv[1]).read()
assert out.count("not distinguishable from chance") == 2 and "--sweep-at-chance" in out, out
PY
pycheck "sweep: cells stored next to the auto cache, reused by the second run; JSON, CSV, SVG and PNG plots agree" "$tmp/sweep1.txt" <<'PY'
import csv, glob, os, struct
d = os.path.dirname(sys.argv[1])
first = json.load(open(os.path.join(d, "sweep.json")))
second = json.load(open(os.path.join(d, "sweep2.json")))
cells = glob.glob(os.path.join(d, "xdg/avss-explorer/analyses/*.cells/*.h5"))
assert first["computed_cells"] == len(first["cells"]) == len(cells) > 2, (first["computed_cells"], len(cells))
assert second["computed_cells"] == 0 and second["stored_cells_used"] == len(first["cells"])
assert [c["metrics"] for c in first["cells"]] == [c["metrics"] for c in second["cells"]]
assert "cells: 0 evaluated" in open(os.path.join(d, "sweep2.txt")).read()
rows = list(csv.DictReader(open(os.path.join(d, "sweep.csv"))))
assert len(rows) == len(first["rows"]) and {r["line"] for r in rows} == {"bi", "reverse", "random#1", "random#2"}
for r in rows:
    if r["task"] == "perplexity" and r["removed_count"] == "0":
        assert abs(float(r["retention"]) - 1.0) < 1e-12
    if r["task"] == "perplexity" and r["removed"]:
        assert abs(float(r["retention"]) - float(r["dense"]) / float(r["value"])) < 1e-9
for name in ("retention-mean", "retention-mean-normalised", "retention-sst2-acc", "retention-perplexity-perplexity"):
    svg = open(os.path.join(d, "plots", name + ".svg")).read()
    # the tiny model is at chance on SST-2, so its chance-normalised retention is undefined (no line)
    assert ("<polyline" in svg or name.endswith("normalised")) and "90 % of dense" in svg, name
    png = open(os.path.join(d, "plots", name + ".png"), "rb").read()
    if png:  # a build without the GUI writes no PNG
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (900, 560), name
assert "random, 2 seeds" in open(os.path.join(d, "plots", "retention-perplexity-perplexity.svg")).read()
PY
expect 2 "--task expects NAME=FILE" -- "$avss" --quiet sweep "$tiny" --task "$ev/sst2.tsv" --cache none
expect 2 "unknown task" -- "$avss" --quiet sweep "$tiny" --task "mmlu=$ev/sst2.tsv" --cache none
expect 2 "cannot remove 5 blocks" -- "$avss" --quiet sweep "$tiny" --task "sst2=$ev/sst2.tsv" --counts 5 --cache none --seq-len 32
expect 2 "listed twice" -- "$avss" --quiet sweep "$tiny" --task "sst2=$ev/sst2.tsv" --metrics bi,bi --cache none --seq-len 32

# avss hallu: truthful vs hallucinated statistics, every variant in the report, the cache found again,
# agreement with another report, and bad pairs files named with their line.
hl="$data/hallu"
capture "$tmp/hallu1.txt" -- env XDG_CACHE_HOME="$tmp/xdg" "$avss" --quiet hallu "$tiny" --pairs "$hl/pairs.jsonl" --format pairs --shards 2 --top-k 1 --out "$tmp/hallu.json"
capture "$tmp/hallu2.txt" -- env XDG_CACHE_HOME="$tmp/xdg" "$avss" --quiet hallu "$tiny" --pairs "$hl/pairs.jsonl" --format pairs --shards 2 --top-k 1 --against "$tmp/hallu.json"
pycheck "hallu: report with three variants over three layers, the cache reused, agreement 1 with itself" "$tmp/hallu.json" <<'PY'
import json, os
r = json.load(open(sys.argv[1]))
d = os.path.dirname(sys.argv[1])
assert r["schema"] == "avss-hallucination-report" and r["schema_version"] == 1
assert (r["pairs"]["questions"], r["pairs"]["pairs"], r["pairs"]["format"]) == (6, 7, "pairs"), r["pairs"]
assert r["truthful"]["sequences"] == r["hallucinated"]["sequences"] == 7
assert r["tokens_per_answer"]["hallucinated"] > r["tokens_per_answer"]["truthful"] > 0
assert [a["variant"] for a in r["analyses"]] == ["ratio", "hallucinated", "shift"]
for a in r["analyses"]:
    assert a["base"] == "avss-rel" and a["top_k"] == 1 and len(a["selected"]) == 1, a["variant"]
    assert sorted(l["rank"] for l in a["eavss"]["layers"]) == [0, 1, 2], a["variant"]
    assert a["eavss"]["order"][0] == a["selected"][0] and a["eavss"]["stability"]["shards"] == 2
    assert ("hsav" in a) == (a["variant"] != "shift")
first = open(os.path.join(d, "hallu1.txt")).read()
second = open(os.path.join(d, "hallu2.txt")).read()
assert "cache: wrote" in first and "cache: using" in second, second
assert "Kendall tau 1.000, selected-set Jaccard 1.00" in second, second
assert "EAVSS, hallucinated over truthful" in first and "selected (top 1)" in first
PY
expect 0 "4 questions, 4 pairs" -- "$avss" --quiet hallu "$tiny" --pairs "$hl/halueval.jsonl" --knowledge --length-match --cache none --shards 2
expect 3 "mismatched.jsonl: line 2: 'truthful' has 2 answers" -- "$avss" --quiet hallu "$tiny" --pairs "$hl/mismatched.jsonl" --format pairs --cache none
expect 3 "halueval.jsonl: line 1: field 'truthful' is missing" -- "$avss" --quiet hallu "$tiny" --pairs "$hl/halueval.jsonl" --format pairs --cache none
expect 4 "nope.jsonl" -- "$avss" --quiet hallu "$tiny" --pairs "$tmp/nope.jsonl" --cache none
expect 2 "unknown pairs format 'csv'" -- "$avss" --quiet hallu "$tiny" --pairs "$hl/pairs.jsonl" --format csv
expect 2 "unknown EAVSS variant" -- "$avss" --quiet hallu "$tiny" --pairs "$hl/pairs.jsonl" --format pairs --variants best --cache none
expect 2 "not an AVSS preset" -- "$avss" --quiet hallu "$tiny" --pairs "$hl/pairs.jsonl" --format pairs --base bi --cache none
expect 3 "not a hallucination report" -- "$avss" --quiet hallu "$tiny" --pairs "$hl/pairs.jsonl" --format pairs --against "$hl/pairs.jsonl" --cache none


# avss hallu --format qa-self: the model's own choices on a task, right vs wrong (the tiny model gets some of each).
python3 - "$tmp/sciq12.json" <<'PY'
import json, sys
w = ["sun", "moon", "rock", "water", "tree", "cloud", "fire", "ice", "sand", "wind", "salt", "iron"]
rows = [{"question": f"What is {w[i]}?", "distractor1": w[(i + 1) % 12], "distractor2": "a " + w[(i + 5) % 12],
         "distractor3": w[(i + 7) % 12] + " and " + w[(i + 3) % 12], "correct_answer": w[i], "support": ""} for i in range(12)]
json.dump(rows, open(sys.argv[1], "w"))
PY
expect 0 "qa-self on sciq: [0-9]+ of 12 answers right" -- "$avss" --quiet hallu "$tiny" --pairs "$tmp/sciq12.json" --format qa-self --task sciq --cache none --shards 2
expect 2 "--format qa-self needs --task" -- "$avss" --quiet hallu "$tiny" --pairs "$tmp/sciq12.json" --format qa-self --cache none
expect 3 "sciq_allenai.json: the model answered 0 of 2 questions right" -- "$avss" --quiet hallu "$tiny" --pairs "$ev/sciq_allenai.json" --format qa-self --task sciq --cache none
expect 2 "qa-self pairs are the model's own answers" -- "$avss" --quiet mitigate "$tiny" --train "$tmp/sciq12.json" --format qa-self --layers 0 --steps 1

# avss mitigate: EAVSS-chosen layers trained, scores before and after, the record, an exact resume.
mit=(mitigate "$tiny" --train "$hl/pairs.jsonl" --format pairs --held-out "$hl/halueval.jsonl" --eval "sst2=$ev/sst2.tsv" --lr 1e-3 --kl-text builtin --kl-tokens 512)
capture "$tmp/mit1.txt" -- env XDG_CACHE_HOME="$tmp/xdg" "$avss" --quiet "${mit[@]}" --steps 2 --out "$tmp/mit"
capture "$tmp/mit2.txt" -- env XDG_CACHE_HOME="$tmp/xdg" "$avss" --quiet "${mit[@]}" --steps 4 --out "$tmp/mit" --resume
capture "$tmp/mit3.txt" -- env XDG_CACHE_HOME="$tmp/xdg" "$avss" --quiet "${mit[@]}" --steps 4 --out "$tmp/mit-straight"
pycheck "mitigate: auto layers from EAVSS, held-out and task scores before and after, resume equals a straight run" "$tmp/mit/mitigation.json" <<'PY'
import json, os
d = os.path.dirname(os.path.dirname(sys.argv[1]))
r = json.load(open(sys.argv[1]))
straight = json.load(open(os.path.join(d, "mit-straight", "mitigation.json")))
hallu = json.load(open(os.path.join(d, "hallu.json")))  # the same pairs' analysis (top-k 1), from the hallu check above
assert r["schema"] == "avss-mitigation-report" and r["layer_choice"] == "auto" and r["layers"] == hallu["analyses"][0]["selected"], r["layers"]
assert r["first_step"] == 2 and [s["step"] for s in r["steps"]] == [3, 4]
assert [s["loss"] for s in r["steps"]] == [s["loss"] for s in straight["steps"][2:]], (r["steps"], straight["steps"])
assert r["held_out_before"]["pairs"] == 4 and 0 <= r["held_out_after"]["accuracy"] <= 1
assert r["held_out_after"] == straight["held_out_after"]
assert len(r["evaluations"]) == 1 and r["evaluations"][0]["before"]["task"] == "sst2"
assert "resumed" in open(os.path.join(d, "mit2.txt")).read()
kl = r["kl_to_original"]
assert kl["text"] == "builtin:sample" and kl["tokens"] > 0 and kl["mean_kl"] > 0 and kl["max_kl"] >= kl["mean_kl"], kl
PY
expect 0 "layers trained +0,1,2 \(all\)" -- "$avss" --quiet mitigate "$tiny" --train "$hl/pairs.jsonl" --format pairs --layers all --steps 1
expect 0 "layers trained +0,2 \(listed\)" -- "$avss" --quiet mitigate "$tiny" --train "$hl/pairs.jsonl" --format pairs --layers 0,2 --steps 1 --export "$tmp/tuned.gguf"
expect 0 "layers +3" -- "$avss" --quiet info "$tmp/tuned.gguf"
# Task items that ask a training question are never scored as held out.
printf '%s\n' '{"question": "what is the capital of  france?", "answer": ["Paris"]}' '{"question": "Who painted the Mona Lisa?", "answer": ["Leonardo da Vinci"]}' >"$tmp/nq-overlap.jsonl"
expect 0 "nq_open: 1 items left out \(their question is a training question\)" -- "$avss" --quiet mitigate "$tiny" --train "$hl/pairs.jsonl" --format pairs --layers 0 --steps 1 --eval "nq_open=$tmp/nq-overlap.jsonl"
# A finished run's checkpoint scores more tasks without training again; --window/--max-tokens reach perplexity.
capture "$tmp/mit-more.txt" -- "$avss" --quiet mitigate "$tiny" --train "$hl/pairs.jsonl" --format pairs --layers 0 --steps 1 --out "$tmp/mit-more"
capture "$tmp/mit-more2.txt" -- "$avss" --quiet mitigate "$tiny" --train "$hl/pairs.jsonl" --format pairs --layers 0 --steps 1 --checkpoint "$tmp/mit-more/checkpoint.pt" --resume --eval perplexity=builtin --window 64 --max-tokens 256 --out "$tmp/mit-more2"
pycheck "mitigate: a resumed finished run trains no step and scores perplexity in 4 windows of 64" "$tmp/mit-more2/mitigation.json" <<'PY'
r = json.load(open(sys.argv[1]))
assert r["first_step"] == 1 and r["steps"] == [], r["steps"]
e = r["evaluations"][0]
assert e["before"]["task"] == "perplexity" and e["before"]["items"] == 4 and e["after"]["items"] == 4, e["before"]["items"]
PY
expect 2 "layer 7 does not exist" -- "$avss" --quiet mitigate "$tiny" --train "$hl/pairs.jsonl" --format pairs --layers 7 --steps 1
expect 2 "--resume needs --checkpoint" -- "$avss" --quiet mitigate "$tiny" --train "$hl/pairs.jsonl" --format pairs --layers 0 --resume
expect 3 "mismatched.jsonl: line 2" -- "$avss" --quiet mitigate "$tiny" --train "$hl/mismatched.jsonl" --format pairs --layers 0
expect 3 "checkpoint.pt: this checkpoint belongs to another" -- "$avss" --quiet mitigate "$tiny" --train "$hl/pairs.jsonl" --format pairs --layers 1 --seed 3 --steps 5 --checkpoint "$tmp/mit/checkpoint.pt" --resume


echo "$failures failure(s)"
[[ $failures -eq 0 ]]
