#!/usr/bin/env bash
# scripts/test-summary.sh counts what CI reports: a recorded CTest log with a Catch2 suite, a failed
# Catch2 case, a shell suite, a skipped real-model suite (CTest logs it as "Passed") and a suite that
# failed after all its cases passed (a sanitizer report at exit). Usage: test_summary.sh ROOT
cd "$1" || exit 2
status=0
out=$(scripts/test-summary.sh tests/data/ctest/lasttest-mixed.log)
want="tests: 40 passed, 3 failed, 1 skipped"
if [[ $(head -n1 <<<"$out") == "$want" ]]; then echo "ok:   $want"; else echo "FAIL: got '$(head -n1 <<<"$out")', want '$want'"; status=1; fi
if grep -q "test_real_parity (skipped: sample model not found)" <<<"$out"; then echo "ok:   the skipped suite is named with its reason"
else echo "FAIL: skipped suite not listed:"; echo "$out"; status=1; fi
exit $status
