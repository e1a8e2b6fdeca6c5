// PCRE2 wrappers: compile once with JIT, match with per-call match data. The subject is validated
// once by the caller, so matches pass PCRE2_NO_UTF_CHECK (otherwise PCRE2 re-checks the whole
// subject on every call, which makes splitting quadratic).
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "util/pcre2_support.h"

#include "tokenizer/regex.h"

#include "avss/error.h"
#include "tokenizer/utf8.h"

namespace avss::tok {
namespace {

constexpr const char* kWhitespaceRange = "\\x{9}-\\x{D}\\x{85}\\p{Z}";

using util::MatchDataDeleter;
using util::pcre2Message;
using util::MatchData;

// One match from `start`; falls back to the interpreter when a huge piece exhausts the JIT stack.
int matchAt(const pcre2_code* code, std::string_view subject, std::size_t start, pcre2_match_data* md) {
    const auto* s = reinterpret_cast<PCRE2_SPTR>(subject.data());
    int rc = pcre2_match(code, s, subject.size(), start, PCRE2_NO_UTF_CHECK, md, nullptr);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
        rc = pcre2_match(code, s, subject.size(), start, PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, md, nullptr);
    }
    return rc;
}

}  // namespace

std::string withOnigurumaWhitespace(std::string_view pattern) {
    std::string out;
    bool inClass = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            const char next = pattern[++i];
            if (next == 's') {
                out += inClass ? std::string(kWhitespaceRange) : "[" + std::string(kWhitespaceRange) + "]";
            } else if (next == 'S' && !inClass) {
                out += "[^" + std::string(kWhitespaceRange) + "]";
            } else if (next == 'S') {
                throw UnsupportedError({}, "regex '" + std::string(pattern) + "' uses \\S inside a character class",
                                       "write the class without it");
            } else {
                out += c;
                out += next;
            }
            continue;
        }
        if (c == '[' && !inClass) inClass = true;
        else if (c == ']' && inClass) inClass = false;
        out += c;
    }
    return out;
}

void Regex::CodeDeleter::operator()(pcre2_real_code_8* code) const { pcre2_code_free(code); }

Regex::Regex(const std::string& pattern) : m_pattern(pattern) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    m_code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.c_str()), PCRE2_ZERO_TERMINATED,
                               PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr));
    if (!m_code) {
        throw UnsupportedError({}, "pre-tokenizer regex '" + pattern + "' does not compile at offset " +
                                       std::to_string(offset) + ": " + pcre2Message(error),
                               "this is a bug in the pre-tokenizer table");
    }
    // JIT is an optimisation only: without it (or on a build without JIT) the interpreter is used.
    (void)pcre2_jit_compile(m_code.get(), PCRE2_JIT_COMPLETE);
}

Regex::~Regex() = default;
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;

void Regex::splitIsolated(std::string_view subject, const std::function<void(std::string_view)>& onPiece) const {
    if (subject.empty()) return;  // PCRE2 10.42 rejects a null subject pointer even with length 0
    MatchData md(pcre2_match_data_create_from_pattern(m_code.get(), nullptr));
    if (!md) throw std::bad_alloc();

    std::size_t searchFrom = 0;
    std::size_t pieceStart = 0;  // start of the not yet emitted text
    while (searchFrom < subject.size()) {
        const int rc = matchAt(m_code.get(), subject, searchFrom, md.get());
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            throw UnsupportedError({}, "pre-tokenizer regex failed on a piece of " + std::to_string(subject.size()) +
                                           " bytes: " + pcre2Message(rc),
                                   "split the text into smaller parts");
        }
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
        const std::size_t begin = ov[0], end = ov[1];
        if (end == begin) {  // cannot happen with the table's patterns; step one code point to stay finite
            if (begin >= subject.size()) break;
            searchFrom = begin + utf8Step(subject, begin).length;
            continue;
        }
        if (begin > pieceStart) onPiece(subject.substr(pieceStart, begin - pieceStart));
        onPiece(subject.substr(begin, end - begin));
        pieceStart = searchFrom = end;
    }
    if (pieceStart < subject.size()) onPiece(subject.substr(pieceStart));
}

}  // namespace avss::tok
