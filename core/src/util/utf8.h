// UTF-8 validation (RFC 3629: no overlongs, no surrogates, max U+10FFFF).
#pragma once

#include <cstddef>
#include <string_view>

namespace avss::util {

// Offset of the first byte that starts an invalid sequence, or npos when the text is valid.
std::size_t firstInvalidUtf8(std::string_view s);

}  // namespace avss::util
