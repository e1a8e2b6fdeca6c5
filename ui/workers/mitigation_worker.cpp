// Hallucination analysis and fine-tuning jobs (see mitigation_worker.h).
#include "workers/mitigation_worker.h"

#include "avss/evaluator.h"
#include "avss/hallu_stats.h"
#include "avss/mitigation.h"
#include "workers/analysis_worker.h"
#include "util/qt_convert.h"

namespace avss::ui {
namespace {

// The hallucination analysis of `model` on `pairs` (cache-first, as `avss hallu`) and its scores.
std::shared_ptr<const avss::HalluScores> halluScores(const avss::Model& model, const avss::PairSet& pairs, const QString& cacheDir, int topK,
                                                     const avss::CancelToken& cancel, const avss::ProgressFn& progress, bool* fromCache) {
    avss::HalluRequest request;
    request.cacheDir = toPath(cacheDir);
    const auto got = avss::obtainHalluStats(model, pairs, request, progress, &cancel);
    if (fromCache != nullptr) *fromCache = got.fromCache;
    avss::HalluScoreOptions o;
    o.topK = topK;
    return std::make_shared<const avss::HalluScores>(avss::scoreHallucination(*got.stats, o));
}

}  // namespace

void MitigationWorker::analyse(const HalluJob& job) {
    runJob(job.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
        const auto pairs = avss::loadPairs(job.pairs);
        bool fromCache = false;
        auto scores = halluScores(*job.model, pairs, job.cacheDir, job.topK, cancel, progress, &fromCache);
        Q_EMIT analysed(HalluDone{job.jobId, std::move(scores), static_cast<qint64>(pairs.pairs.size()), fromCache});
    });
}

void MitigationWorker::compare(const CompareJob& job) {
    runJob(job.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
        CompareDone done;
        done.jobId = job.jobId;
        auto& c = done.comparison;
        c.label = job.label;
        c.originalStats = job.originalStats;
        c.scores = analyseModel(job.analysis, cancel, progress).scores;
        if (job.pairs) {
            c.halluSource = job.halluSource;
            c.hallu = halluScores(*job.analysis.model, avss::loadPairs(*job.pairs), job.analysis.cacheDir, job.topK, cancel, progress, nullptr);
        }
        Q_EMIT compared(done);
    });
}

void MitigationWorker::train(const TrainJob& job) {
    runJob(job.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
        if (!job.resume || !m_trainer) {
            m_trainer.reset();
            auto trainSpec = job.pairs;
            trainSpec.half = avss::PairHalf::Even;
            auto heldSpec = job.pairs;
            heldSpec.half = avss::PairHalf::Odd;
            heldSpec.limit = job.heldOutQuestions;
            m_heldOut = avss::loadPairs(heldSpec);
            const auto train = avss::loadPairs(trainSpec);
            m_task.reset();
            m_taskBefore.reset();
            if (job.task) m_task = avss::loadTask(avss::withoutTrainingQuestions(*job.task, train));
            m_before = avss::measurePreference(*job.model, *m_heldOut, job.options.lengthMatch, 8, &cancel);
            if (m_task) m_taskBefore = avss::Evaluator(job.model).run(*m_task, {}, progress, &cancel);
            m_trainer = std::make_unique<avss::ContrastiveTrainer>(job.model, train, job.options);
        }
        const int from = m_trainer->step();
        m_trainer->run(job.steps, [&](const avss::TrainStep& s) {
            Q_EMIT stepped(job.jobId, s);
            report(progress, avss::Progress{"training", s.step - from, job.steps - from, "steps"});
        }, &cancel);
        TrainDone done;
        done.jobId = job.jobId;
        done.tuned = m_trainer->tunedModel();
        done.before = m_before;
        done.after = avss::measurePreference(*done.tuned, *m_heldOut, job.options.lengthMatch, 8, &cancel);
        if (m_task) {
            done.taskBefore = m_taskBefore;
            done.taskAfter = avss::Evaluator(done.tuned).run(*m_task, {}, progress, &cancel);
        }
        done.layers = m_trainer->options().layers;
        done.step = m_trainer->step();
        Q_EMIT trained(done);
    });
}

}  // namespace avss::ui
