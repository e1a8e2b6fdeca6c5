// The what-if measurement: skipLayers on the loaded model, so nothing is written and no copy of
// the weights is made.
#include "workers/measure_worker.h"

#include <algorithm>

#include "avss/corpus_tokens.h"
#include "avss/perplexity.h"

namespace avss::ui {
namespace {

struct HeldOut {
    std::vector<avss::TokenId> tokens;
    QString note;
};

// The corpus tokens after those the analysis used (tokenized as collectStats does, without special
// tokens, reading no further than needed). When too few are left, the text's last tokens are used
// and the overlap is said so.
HeldOut heldOutTokens(const MeasureRequest& r) {
    const std::int64_t needed = r.maxTokens > 0 ? std::max<std::int64_t>(r.calibrationTokens, 0) + r.maxTokens : 0;
    const auto all = avss::tokenizeCorpus(r.model->tokenizer(), *r.corpus, needed).tokens;
    const auto total = static_cast<std::int64_t>(all.size());
    const std::int64_t wanted = r.maxTokens > 0 ? r.maxTokens : total;
    const std::int64_t start = std::clamp<std::int64_t>(r.calibrationTokens, 0, total);
    HeldOut h;
    if (total - start >= std::min<std::int64_t>(wanted, 2 * r.window)) {
        const auto end = std::min(total, start + wanted);
        h.tokens.assign(all.begin() + start, all.begin() + end);
        return h;
    }
    const auto begin = std::max<std::int64_t>(0, total - wanted);
    h.tokens.assign(all.begin() + begin, all.end());
    h.note = QObject::tr("only %1 tokens follow the %2 calibration tokens: measured on the text's last %3 tokens, "
                         "which overlap the calibration text")
                 .arg(total - start)
                 .arg(start)
                 .arg(h.tokens.size());
    return h;
}

}  // namespace

void MeasureWorker::run(const MeasureRequest& request) {
    runJob(request.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
        if (request.threads > 0) avss::setComputeThreads(request.threads);
        const HeldOut heldOut = heldOutTokens(request);
        avss::PerplexityOptions options;
        options.window = request.window;
        MeasureResult result;
        result.jobId = request.jobId;
        result.removed = request.removed;
        result.note = heldOut.note;
        result.denseNll = request.denseNll;
        if (result.denseNll < 0) {
            const auto dense = avss::perplexity(*request.model, heldOut.tokens, options, progress, &cancel);
            result.denseNll = dense.meanNll;
            result.predictedTokens = dense.predictedTokens;
        }
        result.prunedNll = result.denseNll;
        if (!request.removed.empty()) {
            options.skipLayers = request.removed;
            const auto pruned = avss::perplexity(*request.model, heldOut.tokens, options, progress, &cancel);
            result.prunedNll = pruned.meanNll;
            result.predictedTokens = pruned.predictedTokens;
        }
        Q_EMIT finished(result);
    });
}

}  // namespace avss::ui
