// A compiled PCRE2 pattern (UTF + UCP, JIT when available) for the pre-tokenizer. The compiled code
// is immutable and shared; match data is created per call, so split() is const and thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

struct pcre2_real_code_8;  // pcre2_code with PCRE2_CODE_UNIT_WIDTH 8; keeps <pcre2.h> out of this header

namespace avss::tok {

// Rewrites \s and \S as the explicit class Hugging Face's Oniguruma uses (U+0009–000D, U+0085 and
// \p{Z}), inside and outside character classes; PCRE2's own \s would also take U+180E. Throws
// UnsupportedError for \S inside a class (a negation cannot be nested there).
std::string withOnigurumaWhitespace(std::string_view pattern);

class Regex {
public:
    // pattern is used as is (apply withOnigurumaWhitespace first). Throws UnsupportedError naming the
    // pattern when PCRE2 rejects it.
    explicit Regex(const std::string& pattern);
    ~Regex();
    Regex(Regex&&) noexcept;
    Regex& operator=(Regex&&) noexcept;

    // Hugging Face's Split(behavior = Isolated): calls onPiece for every match and for every gap
    // between matches, in order, so the pieces concatenate to subject. subject is matched on its own
    // (a lookahead stops at its end) and must be valid UTF-8: it is not checked again here.
    void splitIsolated(std::string_view subject, const std::function<void(std::string_view)>& onPiece) const;

    const std::string& pattern() const { return m_pattern; }

private:
    struct CodeDeleter {
        void operator()(pcre2_real_code_8* code) const;
    };
    std::string m_pattern;
    std::unique_ptr<pcre2_real_code_8, CodeDeleter> m_code;
};

}  // namespace avss::tok
