// Python str.strip / lstrip / rstrip / len over UTF-8 (see python_text.h).
#include "eval/python_text.h"

#include "tokenizer/utf8.h"

namespace avss::eval {
namespace {

// Byte length of the whitespace run at the front of `text`.
std::size_t leadingSpace(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        const auto step = tok::utf8Step(text, pos);
        if (!step.valid || !isPythonSpace(step.codePoint)) break;
        pos += step.length;
    }
    return pos;
}

// Byte offset where the whitespace run at the back of `text` starts.
std::size_t trailingSpaceStart(std::string_view text) {
    std::size_t end = text.size();
    while (end > 0) {
        std::size_t start = end - 1;
        while (start > 0 && end - start < 4 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
        const auto step = tok::utf8Step(text, start);
        if (!step.valid || start + step.length != end || !isPythonSpace(step.codePoint)) break;
        end = start;
    }
    return end;
}

}  // namespace

bool isPythonSpace(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

std::string pythonLStrip(std::string_view text) { return std::string(text.substr(leadingSpace(text))); }

std::string pythonRStrip(std::string_view text) { return std::string(text.substr(0, trailingSpaceStart(text))); }

std::string pythonStrip(std::string_view text) {
    const auto begin = leadingSpace(text);
    const auto end = trailingSpaceStart(text.substr(begin));
    return std::string(text.substr(begin, end));
}

std::size_t codePointCount(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t pos = 0; pos < text.size(); ++count) pos += tok::utf8Step(text, pos).length;
    return count;
}

}  // namespace avss::eval
