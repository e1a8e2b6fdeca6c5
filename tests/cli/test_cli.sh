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

expect 0 "^avss 0\.[0-9]+\.[0-9]+" -- "$avss" --version
expect 0 "Commands:" -- "$avss" --help
for c in info tokenize generate perplexity score prune; do
  expect 0 "Usage: avss $c" -- "$avss" "$c" --help
done
expect 2 "unknown command 'frobnicate'" -- "$avss" frobnicate
expect 2 "unknown option --bogus" -- "$avss" info "$tiny" --bogus
expect 2 "needs MODEL" -- "$avss" info
expect 2 "--window expects an integer" -- "$avss" perplexity "$tiny" --window abc

expect 0 "layers +3" -- "$avss" --quiet info "$tiny"
expect 0 "Q4_1" -- "$avss" --quiet info "$tiny" --tensors
expect 0 "^[0-9]+( [0-9]+)*$" -- "$avss" --quiet tokenize "$tiny" "hello there" --ids
expect 0 "tokens in" -- "$avss" generate "$tiny" "the" --max-new-tokens 4
expect 0 "perplexity" -- "$avss" --quiet perplexity "$tiny" --text builtin --window 64 --max-tokens 256

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

# pruning: explicit layers, reload check, and the result loads with fewer layers
expect 0 "self-check   passed" -- "$avss" --quiet prune "$tiny" --remove 1 --out "$tmp/pruned.gguf"
expect 0 "layers +2" -- "$avss" --quiet info "$tmp/pruned.gguf"
expect 2 "layer 9 does not exist" -- "$avss" --quiet prune "$tiny" --remove 9 --out "$tmp/p9.gguf"

# scoring: a cache, then scores from the cache without the model, then a plan applied by prune
expect 0 "avss-paper" -- "$avss" --quiet score "$tiny" --data builtin --seq-len 32 --max-tokens 1024 --shards 2 \
  --cache "$tmp/a.h5" --out "$tmp/s.json"
[[ -s "$tmp/s.json" ]] || { echo "FAIL: score --out wrote nothing"; failures=$((failures + 1)); }
expect 0 "avss-paper" -- "$avss" --quiet score --from-cache "$tmp/a.h5"
expect 0 "self-check   passed" -- "$avss" --quiet prune "$tiny" --from-cache "$tmp/a.h5" --metric bi --rule count --count 1 \
  --protect none --out "$tmp/planned.gguf"
expect 0 "layers +2" -- "$avss" --quiet info "$tmp/planned.gguf"

echo "$failures failure(s)"
[[ $failures -eq 0 ]]
