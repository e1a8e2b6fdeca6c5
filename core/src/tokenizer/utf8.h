// UTF-8 helpers for the tokenizer: validation (encode rejects invalid text), code-point stepping and
// lossy decoding with U+FFFD exactly as Python's bytes.decode("utf-8", errors="replace") and Rust's
// String::from_utf8_lossy (one replacement per maximal invalid subpart, Unicode §3.9).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace avss::tok {

struct Utf8Step {
    std::size_t length = 0;  // bytes consumed: the sequence, or its maximal invalid subpart (≥ 1)
    bool valid = false;
    char32_t codePoint = 0;  // meaningful when valid
};

// Reads the sequence starting at s[pos] (pos < s.size()).
Utf8Step utf8Step(std::string_view s, std::size_t pos);

// Byte offset of the first invalid sequence, or nullopt when all of s is valid UTF-8.
std::optional<std::size_t> firstInvalidUtf8(std::string_view s);

// Every invalid subpart becomes U+FFFD; valid text is returned unchanged.
std::string decodeUtf8Lossy(std::string_view bytes);

void appendUtf8(std::string& out, char32_t codePoint);

}  // namespace avss::tok
