#!/usr/bin/env bash
# Builds the Debian package (CPack) from an existing build folder; with --check, also verifies its
# contents and installs it (dpkg -i as root, else dpkg -x into a temporary folder) and runs
# `avss --version` and `avss-explorer --version` from the installed files (no display needed).
# Usage: scripts/package.sh [--check]   Environment: AVSS_BUILD_DIR (default: build).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${AVSS_BUILD_DIR:-build}"
app_id=io.github.avssexplorer.explorer  # AppStream id = desktop file name (packaging/linux/)
check=0
[[ "${1:-}" == "--check" ]] && check=1

if [[ ! -f "$build/CPackConfig.cmake" ]]; then
  echo "package: $build is not configured; run scripts/setup.sh (or cmake -S . -B $build) first" >&2
  exit 1
fi
grep -q '^AVSS_BUILD_GUI:BOOL=ON' "$build/CMakeCache.txt" || {
  echo "package: $build was configured with AVSS_BUILD_GUI=OFF; the package needs avss-explorer" >&2
  exit 1
}
cmake --build "$build" --target avss avss-explorer avss_icons -j "$(nproc)"
rm -rf "$build/packages"
cpack --config "$build/CPackConfig.cmake" -B "$build/packages" >/dev/null
deb=$(ls "$build"/packages/avss-explorer_*.deb)
echo "package: built $deb"
echo "package: Depends: $(dpkg-deb -f "$deb" Depends)"
((check)) || exit 0

# 1. The package holds the binaries, the desktop entry, the icons and the AppStream metadata.
listing=$(dpkg -c "$deb" | awk '{print $6}')
required=(
  ./usr/bin/avss
  ./usr/bin/avss-explorer
  "./usr/share/applications/$app_id.desktop"
  "./usr/share/metainfo/$app_id.metainfo.xml"
  ./usr/share/icons/hicolor/scalable/apps/avss-explorer.svg
  ./usr/share/icons/hicolor/48x48/apps/avss-explorer.png
)
for f in "${required[@]}"; do
  grep -qxF "$f" <<<"$listing" || { echo "package: FAIL: $f is missing from $deb" >&2; exit 1; }
done
echo "package: dpkg -c lists ${#required[@]}/${#required[@]} required files"
dpkg-deb -f "$deb" Depends | grep -q libopenblas0-pthread || { echo "package: FAIL: libopenblas0-pthread not in Depends" >&2; exit 1; }
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "packaging/linux/$app_id.metainfo.xml" >/dev/null ||
    { echo "package: FAIL: AppStream metadata does not validate" >&2; exit 1; }
  echo "package: AppStream metadata validates"
fi
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "packaging/linux/$app_id.desktop"
fi

# 2. Installed, both programs start and report their versions.
if [[ $(id -u) -eq 0 ]]; then
  dpkg -i "$deb" >/dev/null
  prefix=""
  echo "package: installed with dpkg -i"
else
  prefix=$(mktemp -d)
  trap 'rm -rf "$prefix"' EXIT
  dpkg -x "$deb" "$prefix"
  echo "package: extracted with dpkg -x into $prefix (not root)"
fi
env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$prefix/usr/bin/avss" --version
env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$prefix/usr/bin/avss-explorer" --version
echo "package: OK"
