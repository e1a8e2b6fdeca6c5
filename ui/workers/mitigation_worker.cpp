// Hallucination analysis and fine-tuning jobs (see mitigation_worker.h).
#include "workers/mitigation_worker.h"

#include "avss/hallu_stats.h"
#include "util/qt_convert.h"

namespace avss::ui {

void MitigationWorker::analyse(const HalluJob& job) {
    runJob(job.jobId, [&](const avss::CancelToken& cancel, const avss::ProgressFn& progress) {
        const auto pairs = avss::loadPairs(job.pairs);
        avss::HalluRequest request;
        request.cacheDir = toPath(job.cacheDir);
        const auto got = avss::obtainHalluStats(*job.model, pairs, request, progress, &cancel);
        avss::HalluScoreOptions o;
        o.topK = job.topK;
        auto scores = std::make_shared<const avss::HalluScores>(avss::scoreHallucination(*got.stats, o));
        Q_EMIT analysed(HalluDone{job.jobId, std::move(scores), static_cast<qint64>(pairs.pairs.size()), got.fromCache});
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
            m_before = avss::measurePreference(*job.model, *m_heldOut, job.options.lengthMatch, 8, &cancel);
            m_trainer = std::make_unique<avss::ContrastiveTrainer>(job.model, avss::loadPairs(trainSpec), job.options);
        }
        const int from = m_trainer->step();
        m_trainer->run(job.steps, [&](const avss::TrainStep& s) {
            Q_EMIT stepped(job.jobId, s);
            report(progress, avss::Progress{"training", s.step - from, job.steps - from, "steps"});
        }, &cancel);
        const auto after = avss::measurePreference(*m_trainer->tunedModel(), *m_heldOut, job.options.lengthMatch, 8, &cancel);
        Q_EMIT trained(TrainDone{job.jobId, m_before, after, m_trainer->options().layers, m_trainer->step()});
    });
}

}  // namespace avss::ui
