// PCRE2 patterns with Python `re` semantics where the harness relies on them: UTF + UCP (so \b and
// \w are Unicode-aware, as for Python str patterns), re.sub(p, "", s) and a whole-string match.
// The compiled code is immutable; match data is per call, so every method is const and thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pcre2_real_code_8;  // pcre2_code with PCRE2_CODE_UNIT_WIDTH 8; keeps <pcre2.h> out of this header

namespace avss::eval {

class Pattern {
public:
    // Throws UsageError naming the pattern and the offset when PCRE2 rejects it.
    explicit Pattern(const std::string& pattern, bool dotAll = false);
    ~Pattern();
    Pattern(Pattern&&) noexcept;
    Pattern& operator=(Pattern&&) noexcept;

    // The capture groups (1..n) when the pattern matches all of `subject`, else nullopt (also when
    // PCRE2's match limit is hit). `subject` must be valid UTF-8.
    std::optional<std::vector<std::string>> matchWhole(std::string_view subject) const;

    // re.sub(pattern, "", subject): every non-overlapping match deleted, left to right. `subject`
    // must be valid UTF-8. Throws UsageError when the pattern fails on it (match limit).
    std::string eraseAll(std::string_view subject) const;

    const std::string& text() const { return m_text; }

private:
    friend std::string unicodeLower(std::string_view text);
    struct CodeDeleter {
        void operator()(pcre2_real_code_8* code) const;
    };
    std::string m_text;
    std::unique_ptr<pcre2_real_code_8, CodeDeleter> m_code;
};

// Lowercase of valid UTF-8 text: ASCII directly, other letters by PCRE2's Unicode simple case
// mapping. Python's str.lower() differs only for letters whose lowercase is several code points or
// depends on context (U+0130 'İ', final sigma) and for cased non-letters (Ⅷ, Ⓐ).
std::string unicodeLower(std::string_view text);

}  // namespace avss::eval
