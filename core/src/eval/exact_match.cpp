// lm-eval's exact_match (see avss/eval_task.h ExactMatchRule and docs/evaluation.md §2): regex
// deletion, lower-casing, ASCII punctuation deletion, then equality with any reference.
#include "avss/eval_metrics.h"

#include <algorithm>
#include <map>
#include <memory>

#include "eval/pattern.h"
#include "eval/python_text.h"
#include "tokenizer/utf8.h"

namespace avss {
namespace {

constexpr std::string_view kPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";  // Python string.punctuation

std::string validUtf8(std::string_view text) {
    return tok::firstInvalidUtf8(text) ? tok::decodeUtf8Lossy(text) : std::string(text);
}

// Compiled patterns of this thread, so scoring thousands of items compiles each rule once.
const eval::Pattern& compiled(const std::string& pattern) {
    thread_local std::map<std::string, std::unique_ptr<eval::Pattern>> cache;
    if (cache.size() > 64) cache.clear();  // a bound for callers that vary their rules
    auto& slot = cache[pattern];
    if (!slot) slot = std::make_unique<eval::Pattern>(pattern);
    return *slot;
}

}  // namespace

std::string normaliseForExactMatch(std::string_view text, const ExactMatchRule& rule) {
    // A model's text may end inside a character: Python would have decoded it with U+FFFD.
    std::string out = validUtf8(text);
    for (const auto& pattern : rule.regexesToIgnore) out = compiled(pattern).eraseAll(out);
    if (rule.ignoreCase) out = eval::unicodeLower(out);
    if (rule.ignorePunctuation) {
        out.erase(std::remove_if(out.begin(), out.end(), [](char c) { return kPunctuation.find(c) != std::string_view::npos; }),
                  out.end());
    }
    return out;
}

bool exactMatch(std::string_view prediction, const std::vector<std::string>& references, const ExactMatchRule& rule) {
    const std::string predicted = normaliseForExactMatch(eval::pythonStrip(validUtf8(prediction)), rule);
    for (const auto& reference : references) {
        if (normaliseForExactMatch(reference, rule) == predicted) return true;
    }
    return false;
}

}  // namespace avss
