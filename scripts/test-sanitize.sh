#!/usr/bin/env bash
# Second build with AddressSanitizer + UndefinedBehaviorSanitizer (AVSS_SANITIZE=ON, -O1) in
# ./build-asan; runs every suite that needs no sample model (unit, tiny-model, CLI, UI) under it.
# Any sanitizer report fails the test that triggered it. Usage: scripts/test-sanitize.sh
# Environment: AVSS_ASAN_BUILD_DIR (default: build-asan), CMAKE_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${AVSS_ASAN_BUILD_DIR:-build-asan}"
source scripts/ccache-env.sh
# shellcheck disable=SC2086
scripts/configure.sh "$build" -DCMAKE_BUILD_TYPE=Sanitize -DAVSS_SANITIZE=ON -DAVSS_BUILD_BENCH=OFF ${CMAKE_ARGS:-}
cmake --build "$build" --target model_free_suites -j "$(nproc)"  # only what the suites below run

# No suppressions: libtorch, Qt and HDF5 run clean under these options (leak checks included). The one
# exception is the UI run on an X server: tests/ui/run_under_x.sh turns off ASan's strndup interceptor
# (libxkbcommon-x11 reads X atom names that are not NUL-terminated) and suppresses libdbus-1's leak.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export QT_QPA_PLATFORM=offscreen
# The real-model suites (label "model") run in the Release build only: under ASan they take too long.
ctest --test-dir "$build" --output-on-failure -j 2 -LE model
