// The held-out slice after the calibration windows (rule in avss/held_out.h, docs/architecture.md).
#include "avss/held_out.h"

#include <algorithm>

#include "avss/corpus_tokens.h"
#include "avss/error.h"

namespace avss {

HeldOutText heldOutTokens(const Tokenizer& tokenizer, const Corpus& corpus, const StatsProvenance& calibration,
                          const HeldOutOptions& options) {
    if (corpus.fingerprint != calibration.dataFingerprint) {
        const std::filesystem::path where = corpus.path.empty() ? std::filesystem::path(corpus.name) : corpus.path;
        throw UsageError(where, "not the analysis's calibration data (fingerprint " + corpus.fingerprint.substr(0, 12) +
                                    "…, the analysis used " + calibration.dataName + ", " +
                                    calibration.dataFingerprint.substr(0, 12) + "…)",
                         "Give the text the analysis was computed on.");
    }
    if (options.maxTokens < 0 || options.window < 2) throw UsageError({}, "held-out tokens must be 0 or more and the window at least 2");
    const std::int64_t used = std::max<std::int64_t>(calibration.calibrationTokens, 0);
    const std::int64_t needed = options.maxTokens > 0 ? used + options.maxTokens : 0;
    const auto all = tokenizeCorpus(tokenizer, corpus, needed).tokens;
    const auto total = static_cast<std::int64_t>(all.size());
    const std::int64_t wanted = options.maxTokens > 0 ? options.maxTokens : total;
    const std::int64_t start = std::min(used, total);
    HeldOutText h;
    if (total - start >= std::min<std::int64_t>(wanted, 2 * static_cast<std::int64_t>(options.window))) {
        h.start = start;
        h.tokens.assign(all.begin() + start, all.begin() + std::min(total, start + wanted));
        if (static_cast<std::int64_t>(h.tokens.size()) < wanted) {
            h.note = "only " + std::to_string(h.tokens.size()) + " of the " + std::to_string(wanted) +
                     " requested held-out tokens follow the " + std::to_string(start) + " calibration tokens";
        }
        return h;
    }
    h.start = std::max<std::int64_t>(0, total - wanted);
    h.tokens.assign(all.begin() + h.start, all.end());
    h.note = "only " + std::to_string(total - start) + " tokens follow the " + std::to_string(start) +
             " calibration tokens: measured on the text's last " + std::to_string(h.tokens.size()) +
             " tokens, which overlap the calibration text";
    return h;
}

}  // namespace avss
