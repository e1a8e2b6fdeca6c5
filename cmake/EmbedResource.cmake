# Script mode: cmake -DINPUT=<file> -DOUTPUT=<cpp> -DSYMBOL=<name> -P EmbedResource.cmake
# Writes a C++ source that defines `const std::string_view avss::resources::<SYMBOL>` with the bytes
# of INPUT, so the built-in calibration text ships inside the binaries.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hexLength)
math(EXPR byteCount "${hexLength} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
file(WRITE "${OUTPUT}"
  "// Generated from ${INPUT}; do not edit.\n#include <string_view>\n"
  "namespace avss::resources {\nnamespace { const char kData[] = {${bytes} 0}; }\n"
  "extern const std::string_view ${SYMBOL}(kData, ${byteCount});\n}\n")
