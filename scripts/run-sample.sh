#!/usr/bin/env bash
# The main job on the sample model: set-up + build, fetch the model, then show what the engine does.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/fetch-model.sh
avss="${AVSS_BUILD_DIR:-build}/app/cli/avss"
echo "== avss info default"
"$avss" info default
echo; echo "== avss generate default (greedy, 48 tokens)"
"$avss" generate default $'<|im_start|>user\nWhat is a lighthouse for?<|im_end|>\n<|im_start|>assistant\n' --max-new-tokens 48
echo; echo "== avss perplexity default --text builtin"
"$avss" perplexity default --text builtin --window 1024
echo; echo "== avss score default (built-in text; per-layer statistics, AVSS presets and baselines)"
"$avss" score default
