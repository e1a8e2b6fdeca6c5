#!/usr/bin/env bash
# The dependency rule (docs/engine.md, style notes): core/ knows nothing of Qt, ui/ or app/; ui/ and
# app/ reach torch, HDF5 and PCRE2 only through core's public headers. Usage: test_layering.sh ROOT
cd "$1" || exit 2
status=0
check() {  # check DESCRIPTION PATTERN DIRS...
  local what="$1" pattern="$2"
  shift 2
  if grep -rEn "$pattern" "$@"; then echo "FAIL: $what"; status=1; else echo "ok:   $what"; fi
}
check "core includes no Qt header" '#include [<"]Q' core
check "core includes nothing from ui/ or app/" '#include [<"](ui|app)/' core
check "ui/ and app/ include no torch, HDF5 or PCRE2 header" '#include [<"](torch|ATen|c10|H5|hdf5|pcre2)' ui app
check "public core headers include no torch, HDF5 or PCRE2 header" '#include [<"](torch|ATen|c10|H5|hdf5|pcre2)' core/include
# Every decision about what is computed lives in core (docs/architecture.md, "Where each decision
# lives"): the front ends call obtainStats, buildScoreReport and measureWhatIf, and decide nothing.
check "no front end collects statistics or reads the cache's lookup itself" 'collectStats\(|cache->find|\.find\(wanted' ui app
check "no front end hashes an analysis identity (provenanceKey does)" 'QCryptographicHash|sha256' ui app
check "no front end compares collection options field by field" 'sequenceLength *[!=]=|maxTokens *[!=]=|shards *[!=]=' ui app
check "no front end scores metrics one by one or cuts held-out text" 'scoreLayers\(|tokenizeCorpus\(' ui app/cli/commands/score.cpp
check "no front end picks sweep counts, names the cell folder or divides scores into retention" 'defaultSweepCounts|"\.cells"|Score / |/ r->dense|->dense /' ui app
check "no core message names a CLI flag (the CLI appends them)" '"[^"]*[( ]--(seq-len|max-tokens|cache|device|batch|shards|data|metrics|window|text)' core
exit $status
