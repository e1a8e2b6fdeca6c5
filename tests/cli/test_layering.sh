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
exit $status
