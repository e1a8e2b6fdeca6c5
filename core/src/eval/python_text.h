// Python's str semantics that the harness's templates and filters rely on, over UTF-8 text:
// strip()/lstrip()/rstrip() (str.isspace whitespace, not only ASCII) and len() (code points, not bytes).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace avss::eval {

// str.isspace(): U+0009–000D, U+001C–0020, U+0085, U+00A0, U+1680, U+2000–200A, U+2028, U+2029,
// U+202F, U+205F, U+3000.
bool isPythonSpace(char32_t c);

std::string pythonStrip(std::string_view text);   // str.strip()
std::string pythonLStrip(std::string_view text);  // str.lstrip()
std::string pythonRStrip(std::string_view text);  // str.rstrip()

// len(str): code points of valid UTF-8 (an invalid byte counts as one).
std::size_t codePointCount(std::string_view text);

}  // namespace avss::eval
