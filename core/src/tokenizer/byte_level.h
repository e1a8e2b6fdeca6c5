// GPT-2's byte ⇄ Unicode table (formats.md §5.2): byte-level BPE vocabularies spell every byte as a
// printable character, so "Ġ" (U+0120) is a space and "Ċ" (U+010A) a newline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace avss::tok {

// Bytes 0x21–0x7E, 0xA1–0xAC and 0xAE–0xFF keep their value; the other 68, in increasing order,
// map to U+0100, U+0101, ….
char32_t byteToCodePoint(std::uint8_t byte);
std::optional<std::uint8_t> codePointToByte(char32_t codePoint);

// Raw bytes → their byte-level spelling (UTF-8), e.g. " hi" → "Ġhi".
std::string byteLevelEncode(std::string_view bytes);

// Byte-level spelling → raw bytes; nullopt when the text is not valid UTF-8 or has a character
// outside the table (then Hugging Face's decoder keeps the token text as is).
std::optional<std::string> byteLevelDecode(std::string_view text);

}  // namespace avss::tok
