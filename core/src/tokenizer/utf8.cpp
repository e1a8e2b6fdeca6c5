// UTF-8 stepping following the Unicode well-formedness table (3-7): the second byte's range depends
// on the lead byte, which is what rejects overlong forms, surrogates and values past U+10FFFF.
#include "tokenizer/utf8.h"

namespace avss::tok {
namespace {

struct LeadInfo {
    int length;                       // 0 = not a lead byte
    unsigned char secondLo, secondHi;  // allowed range of the second byte
};

LeadInfo leadInfo(unsigned char b) {
    if (b < 0x80) return {1, 0, 0};
    if (b >= 0xC2 && b <= 0xDF) return {2, 0x80, 0xBF};
    if (b == 0xE0) return {3, 0xA0, 0xBF};
    if (b == 0xED) return {3, 0x80, 0x9F};
    if (b >= 0xE1 && b <= 0xEF) return {3, 0x80, 0xBF};
    if (b == 0xF0) return {4, 0x90, 0xBF};
    if (b >= 0xF1 && b <= 0xF3) return {4, 0x80, 0xBF};
    if (b == 0xF4) return {4, 0x80, 0x8F};
    return {0, 0, 0};  // 0x80–0xC1 and 0xF5–0xFF never start a sequence
}

}  // namespace

Utf8Step utf8Step(std::string_view s, std::size_t pos) {
    const auto byteAt = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char lead = byteAt(pos);
    const LeadInfo info = leadInfo(lead);
    if (info.length == 1) return {1, true, lead};
    if (info.length == 0) return {1, false, 0};

    char32_t cp = lead & (0x7F >> info.length);
    for (int k = 1; k < info.length; ++k) {
        const std::size_t i = pos + static_cast<std::size_t>(k);
        if (i >= s.size()) return {static_cast<std::size_t>(k), false, 0};  // truncated: one subpart
        const unsigned char b = byteAt(i);
        const unsigned char lo = k == 1 ? info.secondLo : 0x80;
        const unsigned char hi = k == 1 ? info.secondHi : 0xBF;
        if (b < lo || b > hi) return {static_cast<std::size_t>(k), false, 0};
        cp = (cp << 6) | (b & 0x3F);
    }
    return {static_cast<std::size_t>(info.length), true, cp};
}

std::optional<std::size_t> firstInvalidUtf8(std::string_view s) {
    std::size_t pos = 0;
    while (pos < s.size()) {
        if (static_cast<unsigned char>(s[pos]) < 0x80) {  // ASCII fast path
            ++pos;
            continue;
        }
        const Utf8Step step = utf8Step(s, pos);
        if (!step.valid) return pos;
        pos += step.length;
    }
    return std::nullopt;
}

std::string decodeUtf8Lossy(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const Utf8Step step = utf8Step(bytes, pos);
        if (step.valid) {
            out.append(bytes.substr(pos, step.length));
        } else {
            appendUtf8(out, 0xFFFD);
        }
        pos += step.length;
    }
    return out;
}

void appendUtf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

}  // namespace avss::tok
