// Part 1b of the hallucination analysis: the model's own answers to a benchmark's questions,
// labelled by the task's own scoring (exact match for generation tasks; for choice tasks, whether
// its highest-likelihood choice is a true one), as truthful vs hallucinated sides. docs/hallucination.md §1.
#pragma once

#include <cstdint>
#include <memory>

#include "avss/answer_pairs.h"
#include "avss/cancel.h"
#include "avss/eval_result.h"
#include "avss/eval_task.h"
#include "avss/progress.h"

namespace avss {

class Model;

// Pairs the right answers with the wrong ones in item order (the i-th right with the i-th wrong,
// each after its own question); the longer side's rest is counted in `unpaired`. `result` must be
// the task's evaluation with records (EvalOptions::records). Torch-free. UsageError for a ranking
// or perplexity task, or records that do not match the items; FormatError naming the task file
// when either side is empty (every answer right, or every answer wrong).
PairSet pairSelfAnswers(const TaskData& task, const EvalResult& result);

// Evaluates `model` on `task` (greedy answers, or the highest-likelihood choice) and pairs its
// answers as above. Progress: the evaluation's. Throws what Evaluator::run and pairSelfAnswers throw.
PairSet selfAnswerPairs(const std::shared_ptr<const Model>& model, const TaskData& task, const ProgressFn& progress = {},
                        const CancelToken* cancel = nullptr);

}  // namespace avss
