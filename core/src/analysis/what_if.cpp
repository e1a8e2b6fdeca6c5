// measureWhatIf(): held-out text, then dense and pruned perplexity with the same windows.
#include "avss/what_if.h"

#include "avss/error.h"
#include "avss/perplexity.h"

namespace avss {

WhatIfResult measureWhatIf(const Model& model, const Corpus& corpus, const StatsProvenance& calibration,
                           const WhatIfOptions& options, const ProgressFn& progress, const CancelToken* cancel) {
    if (model.info().fingerprint != calibration.modelFingerprint) {
        throw UsageError(model.info().path, "not the model the analysis was computed with (" + calibration.modelName + ")",
                         "Open that model, or analyse this one first.");
    }
    const auto heldOut = heldOutTokens(model.tokenizer(), corpus, calibration, options.heldOut);
    PerplexityOptions po;
    po.window = options.heldOut.window;
    WhatIfResult r;
    r.removed = options.removed;
    r.heldOutStart = heldOut.start;
    r.heldOutTokens = static_cast<std::int64_t>(heldOut.tokens.size());
    r.note = heldOut.note;
    const auto window = static_cast<std::int64_t>(po.window);
    if (const auto rest = r.heldOutTokens % window; rest != 0 && r.heldOutTokens >= window) {  // perplexity drops it
        r.note += (r.note.empty() ? "" : "; ") + std::string("the last ") + std::to_string(rest) + " tokens do not fill a window of " +
                  std::to_string(window) + " and are not scored";
    }
    if (options.denseNll) {
        r.denseNll = *options.denseNll;
    } else {
        const auto dense = perplexity(model, heldOut.tokens, po, progress, cancel);
        r.denseNll = dense.meanNll;
        r.predictedTokens = dense.predictedTokens;
    }
    r.prunedNll = r.denseNll;
    if (!options.removed.empty()) {
        po.skipLayers = options.removed;
        const auto pruned = perplexity(model, heldOut.tokens, po, progress, cancel);
        r.prunedNll = pruned.meanNll;
        r.predictedTokens = pruned.predictedTokens;
    }
    return r;
}

}  // namespace avss
