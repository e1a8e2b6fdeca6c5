#!/usr/bin/env bash
# Reads a failed CMake configure log and names the Debian package behind each missing CMake
# package (table: scripts/debian-packages.txt), instead of CMake's wall of text.
# Usage: scripts/diagnose-cmake.sh CONFIGURE_LOG
set -euo pipefail
log=${1:?usage: diagnose-cmake.sh CONFIGURE_LOG}
table="$(dirname "$0")/debian-packages.txt"

# Every wording CMake and Qt use for a missing package; their messages wrap, so lines are joined first.
names=$(tr -s ' \n' '  ' <"$log" | grep -oE 'provided by "[A-Za-z0-9_]+"|dependency [A-Za-z0-9_]+ could not be found|required Qt component "[A-Za-z0-9_]+"|Could NOT find [A-Za-z0-9_]+|No package .[A-Za-z0-9_.+-]+. found' \
        | sed -E 's/.*component "([^"]+)"/Qt6\1/; s/provided by "([^"]+)"/\1/; s/dependency ([^ ]+) could.*/\1/; s/Could NOT find //; s/No package .([^ ]+). found/\1/' | sort -u || true)

echo "setup: CMake could not configure the project (full log: $log)."
found=0
for n in $names; do
  pkg=$(grep -v '^#' "$table" | awk -v n="$n" '{split($2, a, ","); for (i in a) if (a[i] == n) print $1}' | head -n1)
  [[ -n "$pkg" ]] || continue
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    # Installed, so CMake rejected it for a dependency that is reported on its own line.
    echo "setup:   CMake package '$n' (Debian '$pkg', installed) was rejected because of a missing dependency"
  else
    echo "setup:   CMake package '$n' is missing; it comes from the Debian package '$pkg':  apt-get install $pkg"
  fi
  found=1
done
((found)) || { echo "setup: no known package is named in it; the end of the log:"; tail -n 25 "$log"; }
