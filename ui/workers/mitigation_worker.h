// The mitigation panel's jobs on their own thread: the hallucination analysis (cache-first, as
// `avss hallu`) and contrastive fine-tuning (as `avss mitigate`), whose trainer survives a cancel
// so that Resume continues from the step it stopped at.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "avss/answer_pairs.h"
#include "avss/contrastive_trainer.h"
#include "avss/eval_result.h"
#include "avss/hallu_scores.h"
#include "workers/job_worker.h"
#include "workers/task_types.h"

namespace avss::ui {

struct HalluJob {
    JobId jobId = 0;
    std::shared_ptr<const avss::Model> model;
    avss::PairSpec pairs;
    QString cacheDir;  // the analysis cache (both sides stored, as any analysis)
    int topK = -1;
};

struct HalluDone {
    JobId jobId = 0;
    std::shared_ptr<const avss::HalluScores> scores;
    qint64 pairs = 0;
    bool fromCache = false;
};

struct TrainJob {
    JobId jobId = 0;
    std::shared_ptr<const avss::Model> model;
    avss::PairSpec pairs;        // trained on the even questions, scored on the odd ones
    avss::TrainOptions options;
    int steps = 0;               // train until this step
    int heldOutQuestions = 100;  // odd questions scored before and after
    std::optional<avss::TaskSpec> task;  // a benchmark scored before and after, without the training questions
    bool resume = false;         // continue the last (cancelled or finished) run
};

struct TrainDone {
    JobId jobId = 0;
    avss::PairPreference before, after;  // held-out pairs
    std::optional<avss::EvalResult> taskBefore, taskAfter;  // when the job had a task
    std::vector<int> layers;
    int step = 0;
    std::shared_ptr<const avss::Model> tuned;
};

// The tuned model analysed as the original was: the same calibration data and settings, and the
// same pairs' hallucination analysis when there was one.
struct CompareJob {
    JobId jobId = 0;
    AnalysisRequest analysis;             // its model is the tuned one
    std::optional<avss::PairSpec> pairs;  // the pairs behind the shown hallucination rows
    QString halluSource;
    int topK = -1;
    std::shared_ptr<const avss::ActivationStats> originalStats;
    QString label;
};

struct CompareDone {
    JobId jobId = 0;
    TunedComparison comparison;
};

class MitigationWorker : public JobWorker {
    Q_OBJECT
public Q_SLOTS:
    void analyse(const avss::ui::HalluJob& job);
    void train(const avss::ui::TrainJob& job);
    void compare(const avss::ui::CompareJob& job);
Q_SIGNALS:
    void analysed(avss::ui::HalluDone done);
    void stepped(quint64 jobId, avss::TrainStep step);
    void trained(avss::ui::TrainDone done);
    void compared(avss::ui::CompareDone done);

private:
    std::unique_ptr<avss::ContrastiveTrainer> m_trainer;  // worker thread only
    std::optional<avss::PairSet> m_heldOut;
    avss::PairPreference m_before;
    std::optional<avss::TaskData> m_task;
    std::optional<avss::EvalResult> m_taskBefore;
};

}  // namespace avss::ui

Q_DECLARE_METATYPE(avss::ui::HalluJob)
Q_DECLARE_METATYPE(avss::ui::HalluDone)
Q_DECLARE_METATYPE(avss::ui::TrainJob)
Q_DECLARE_METATYPE(avss::ui::TrainDone)
Q_DECLARE_METATYPE(avss::ui::CompareJob)
Q_DECLARE_METATYPE(avss::ui::CompareDone)
Q_DECLARE_METATYPE(avss::TrainStep)
