#!/usr/bin/env bash
# Set-up knows every dependency: each find_package / pkg_check_modules in the tree has a row in
# scripts/debian-packages.txt, and a recorded configure failure (Qt6Charts without Qt6OpenGL, the
# fresh-machine bug of issue 7) is diagnosed as the Debian package to install. Usage: ROOT
cd "$1" || exit 2
table=scripts/debian-packages.txt
status=0
provided=$(grep -v '^#' "$table" | awk 'NF {print $2}' | tr ',' '\n' | sort -u)

# Names asked for in the tree: find_package(NAME ...) and each REQUIRED Qt component as Qt6<Component>.
asked=$(grep -rhoE 'find_package\([A-Za-z0-9_]+|pkg_check_modules\([A-Za-z0-9_]+ [A-Z_ ]*(IMPORTED_TARGET )?[A-Za-z0-9_.+-]+' \
          --include=CMakeLists.txt --include='*.cmake' CMakeLists.txt core app ui tests bench packaging cmake \
        | sed -E 's/find_package\(//; s/pkg_check_modules\([^ ]+ .* //' | sort -u)
qt=$(grep -rhoE 'find_package\(Qt6 [0-9.]* *REQUIRED COMPONENTS [A-Za-z ]+' CMakeLists.txt ui app tests \
       | sed -E 's/.*COMPONENTS //' | tr ' ' '\n' | sed '/^$/d; s/^/Qt6/' | sort -u)
for n in $asked $qt; do
  if grep -qxF "$n" <<<"$provided"; then echo "ok:   $n has a Debian package"; else echo "FAIL: $n is asked for but has no row in $table"; status=1; fi
done
[[ -n "$asked" ]] || { echo "FAIL: found no find_package at all (the pattern is broken)"; status=1; }

out=$(scripts/diagnose-cmake.sh tests/data/cmake/qt6opengl-missing.log)
if grep -q "'Qt6OpenGL'.*'libqt6opengl6-dev'" <<<"$out"; then echo "ok:   missing Qt6OpenGL is diagnosed as libqt6opengl6-dev"
else echo "FAIL: diagnosis of the Qt6OpenGL log:"; echo "$out"; status=1; fi
exit $status
