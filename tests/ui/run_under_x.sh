#!/usr/bin/env bash
# Runs a UI test program on a real X server with a window manager (Xvfb + twm), the way a user's
# desktop delivers focus, activation and geometry, instead of Qt's offscreen platform.
# Usage: run_under_x.sh PROGRAM [ARGS...]   (Xvfb, xauth and twm come from scripts/setup.sh)
set -u
for tool in Xvfb twm; do
  command -v "$tool" >/dev/null || { echo "run_under_x: $tool is not installed (scripts/setup.sh installs xvfb and twm)" >&2; exit 1; }
done
tmp=$(mktemp -d)
chmod 700 "$tmp"
cleanup() { kill "${wm:-}" "${xserver:-}" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
# A free display: the first number without a lock file, tried until the server starts.
for n in $(seq 90 140); do
  [[ -e /tmp/.X$n-lock ]] && continue
  Xvfb ":$n" -screen 0 1600x1000x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
  xserver=$!
  for _ in $(seq 50); do [[ -e /tmp/.X11-unix/X$n ]] && break; kill -0 "$xserver" 2>/dev/null || break; sleep 0.1; done
  if [[ -e /tmp/.X11-unix/X$n ]] && kill -0 "$xserver" 2>/dev/null; then display=":$n"; break; fi
done
[[ -n "${display:-}" ]] || { echo "run_under_x: Xvfb did not start:" >&2; cat "$tmp/xvfb.log" >&2; exit 1; }
# Xvfb has only its built-in fonts, and twm would otherwise ask the user to place each window.
printf 'TitleFont "fixed"\nResizeFont "fixed"\nMenuFont "fixed"\nIconFont "fixed"\nIconManagerFont "fixed"\nRandomPlacement\n' >"$tmp/twmrc"
DISPLAY=$display twm -f "$tmp/twmrc" >"$tmp/twm.log" 2>&1 &
wm=$!
sleep 1
kill -0 "$wm" 2>/dev/null || { echo "run_under_x: twm did not start:" >&2; cat "$tmp/twm.log" >&2; exit 1; }
# Under AddressSanitizer, two reports come from system libraries the xcb platform loads, not from this
# program: libxkbcommon-x11 strndup()s X atom names that are not NUL-terminated (ASan's strndup
# interceptor calls that an overflow), and libdbus-1 keeps one 1 KB buffer to the end (a leak report).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}intercept_strndup=0"
echo "leak:libdbus-1.so" >"$tmp/lsan.supp"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$tmp/lsan.supp"
DISPLAY=$display QT_QPA_PLATFORM=xcb XDG_RUNTIME_DIR=$tmp "$@"
