// The table is built once (function-local static, thread-safe initialisation) and then only read.
#include "tokenizer/byte_level.h"

#include <array>

#include "tokenizer/utf8.h"

namespace avss::tok {
namespace {

bool keepsItsValue(unsigned b) {
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

struct Tables {
    std::array<char32_t, 256> toCodePoint{};
    std::array<std::int16_t, 324> toByte{};  // indexed by code point < 0x144; -1 = not in the table

    Tables() {
        toByte.fill(-1);
        char32_t next = 0x100;
        for (unsigned b = 0; b < 256; ++b) {
            toCodePoint[b] = keepsItsValue(b) ? static_cast<char32_t>(b) : next++;
            toByte[toCodePoint[b]] = static_cast<std::int16_t>(b);
        }
    }
};

const Tables& tables() {
    static const Tables t;
    return t;
}

}  // namespace

char32_t byteToCodePoint(std::uint8_t byte) { return tables().toCodePoint[byte]; }

std::optional<std::uint8_t> codePointToByte(char32_t codePoint) {
    const auto& t = tables();
    if (codePoint >= t.toByte.size() || t.toByte[codePoint] < 0) return std::nullopt;
    return static_cast<std::uint8_t>(t.toByte[codePoint]);
}

std::string byteLevelEncode(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) appendUtf8(out, byteToCodePoint(static_cast<std::uint8_t>(c)));
    return out;
}

std::optional<std::string> byteLevelDecode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t pos = 0; pos < text.size();) {
        const Utf8Step step = utf8Step(text, pos);
        if (!step.valid) return std::nullopt;
        const auto byte = codePointToByte(step.codePoint);
        if (!byte) return std::nullopt;
        out += static_cast<char>(*byte);
        pos += step.length;
    }
    return out;
}

}  // namespace avss::tok
