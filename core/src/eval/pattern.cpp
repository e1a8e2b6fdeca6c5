// PCRE2 compile/match/substitute wrappers for the task readers and exact match (see pattern.h).
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "util/pcre2_support.h"

#include "eval/pattern.h"

#include <algorithm>

#include "avss/error.h"
#include "tokenizer/utf8.h"

namespace avss::eval {
namespace {

constexpr std::uint32_t kMatchLimit = 10'000'000;  // PCRE2's default, stated: hostile text fails instead of hanging

using util::MatchDataDeleter;
using util::pcre2Message;
struct ContextDeleter {
    void operator()(pcre2_match_context* c) const { pcre2_match_context_free(c); }
};

// Match data and a match context with the limit, for one call.
struct MatchScratch {
    std::unique_ptr<pcre2_match_data, MatchDataDeleter> data;
    std::unique_ptr<pcre2_match_context, ContextDeleter> context;
    explicit MatchScratch(const pcre2_code* code)
        : data(pcre2_match_data_create_from_pattern(code, nullptr)), context(pcre2_match_context_create(nullptr)) {
        if (!data || !context) throw std::bad_alloc();
        pcre2_set_match_limit(context.get(), kMatchLimit);
    }
};

int matchAt(const pcre2_code* code, std::string_view subject, std::size_t start, std::uint32_t options, MatchScratch& s) {
    static const char kEmpty = '\0';  // PCRE2 rejects a null subject pointer even with length 0
    const auto* ptr = reinterpret_cast<PCRE2_SPTR>(subject.empty() ? &kEmpty : subject.data());
    return pcre2_match(code, ptr, subject.size(), start, options | PCRE2_NO_UTF_CHECK, s.data.get(), s.context.get());
}

}  // namespace

void Pattern::CodeDeleter::operator()(pcre2_real_code_8* code) const { pcre2_code_free(code); }

Pattern::Pattern(const std::string& pattern, bool dotAll) : m_text(pattern) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    const std::uint32_t options = PCRE2_UTF | PCRE2_UCP | (dotAll ? PCRE2_DOTALL : 0u);
    m_code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.c_str()), pattern.size(), options, &error, &offset, nullptr));
    if (!m_code) {
        throw UsageError({}, "regex '" + pattern + "' does not compile at offset " + std::to_string(offset) + ": " +
                                 pcre2Message(error));
    }
    (void)pcre2_jit_compile(m_code.get(), PCRE2_JIT_COMPLETE);  // an optimisation only
}

Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&&) noexcept = default;
Pattern& Pattern::operator=(Pattern&&) noexcept = default;

std::optional<std::vector<std::string>> Pattern::matchWhole(std::string_view subject) const {
    MatchScratch scratch(m_code.get());
    const int rc = matchAt(m_code.get(), subject, 0, PCRE2_ANCHORED | PCRE2_ENDANCHORED, scratch);
    if (rc <= 0) return std::nullopt;
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(scratch.data.get());
    std::uint32_t groups = 0;
    pcre2_pattern_info(m_code.get(), PCRE2_INFO_CAPTURECOUNT, &groups);
    std::vector<std::string> out;
    for (std::uint32_t g = 1; g <= groups; ++g) {
        const bool set = static_cast<int>(g) < rc && ov[2 * g] != PCRE2_UNSET;
        out.emplace_back(set ? subject.substr(ov[2 * g], ov[2 * g + 1] - ov[2 * g]) : std::string_view{});
    }
    return out;
}

std::string Pattern::eraseAll(std::string_view subject) const {
    MatchScratch scratch(m_code.get());
    std::string out;
    std::size_t kept = 0, from = 0;
    std::uint32_t options = 0;
    while (from <= subject.size()) {
        const int rc = matchAt(m_code.get(), subject, from, options, scratch);
        if (rc == PCRE2_ERROR_NOMATCH) {
            if (options == 0 || from >= subject.size()) break;
            options = 0;  // no non-empty match at an empty match's position: step one character on
            from += tok::utf8Step(subject, from).length;
            continue;
        }
        if (rc < 0) throw UsageError({}, "regex '" + m_text + "' failed on a text: " + pcre2Message(rc));
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(scratch.data.get());
        out.append(subject.substr(kept, ov[0] - kept));
        kept = ov[1];
        from = ov[1];
        options = ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;  // as pcre2demo: no endless empty matches
    }
    out.append(subject.substr(std::min(kept, subject.size())));
    return out;
}

std::string unicodeLower(std::string_view text) {
    std::string out(text);
    if (std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        for (char& c : out) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        return out;
    }
    static const Pattern letters("\\p{L}+");
    const auto* replacement = reinterpret_cast<PCRE2_SPTR>("\\L$0");  // extended syntax: lower-case the match
    const std::uint32_t options = PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_EXTENDED | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH |
                                  PCRE2_NO_UTF_CHECK;
    out.assign(text.size() + text.size() / 2 + 16, '\0');
    for (int attempt = 0; attempt < 2; ++attempt) {  // the second attempt has the size PCRE2 asked for
        PCRE2_SIZE length = out.size();
        const int rc = pcre2_substitute(letters.m_code.get(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0,
                                        options, nullptr, nullptr, replacement, PCRE2_ZERO_TERMINATED,
                                        reinterpret_cast<PCRE2_UCHAR*>(out.data()), &length);
        if (rc >= 0) {
            out.resize(length);
            return out;
        }
        if (rc != PCRE2_ERROR_NOMEMORY) throw UsageError({}, "lower-casing a text failed: " + pcre2Message(rc));
        out.assign(length, '\0');
    }
    throw UsageError({}, "lower-casing a text failed: the output size kept changing");
}

}  // namespace avss::eval
