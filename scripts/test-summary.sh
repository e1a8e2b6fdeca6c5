#!/usr/bin/env bash
# Counts test cases over CTest logs (Testing/Temporary/LastTest.log): a Catch2 suite contributes its
# test cases, a shell suite its ok:/FAIL: lines, a CTest test with neither counts as one case, and a
# test that printed "SKIPPED: why" (and exited 77: sample model absent) counts as skipped; CTest's log
# calls those "Passed", so the marker is what tells them apart. Prints one closing line:
#   tests: N passed, N failed, N skipped
# and lists the skipped tests. Usage: scripts/test-summary.sh LASTTEST_LOG...
set -euo pipefail
awk '
  function flush() {
    if (name == "") return
    if (marker) result = "skipped: " marker
    if (result == "Passed" || result == "Failed") {
      cases_p = catch_p + catch_f > 0 ? catch_p : sh_ok
      cases_f = catch_p + catch_f > 0 ? catch_f : sh_fail
      if (cases_p + cases_f == 0) cases_p = 1                          # a suite with no case counts: one case
      if (result == "Failed" && cases_f == 0) { cases_f = 1; cases_p-- }  # failed after its cases (sanitizer, crash, timeout)
      passed += cases_p; failed += cases_f
    } else { skipped++; skipped_names = skipped_names "  " name " (" result ")\n" }
    name = ""
  }
  /^[0-9]+\/[0-9]+ Testing: / { flush(); name = $3; result = "not run"; marker = ""; catch_p = catch_f = sh_ok = sh_fail = 0 }
  /^All tests passed \(.* assertions? in [0-9]+ test cases?\)/ { for (i = 1; i <= NF; i++) if ($(i+1) ~ /^test/) { catch_p = $i + 0 } }
  /^test cases: *[0-9]+/ {
    for (i = 1; i <= NF; i++) { if ($(i+1) == "passed") catch_p = $i + 0; if ($(i+1) == "failed") catch_f = $i + 0 }
  }
  /^ok: /   { sh_ok++ }
  /^FAIL: / { sh_fail++ }
  /^Test Passed\./ { result = "Passed" }
  /^Test Failed\./ { result = "Failed" }
  /^SKIPPED: / { marker = substr($0, 10) }
  END {
    flush()
    printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped
    if (skipped) printf "skipped:\n%s", skipped_names
  }
' "$@"
