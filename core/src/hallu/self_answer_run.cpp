// selfAnswerPairs: the evaluation that produces the model's own answers (see avss/self_answers.h).
#include "avss/evaluator.h"
#include "avss/self_answers.h"

namespace avss {

PairSet selfAnswerPairs(const std::shared_ptr<const Model>& model, const TaskData& task, const ProgressFn& progress, const CancelToken* cancel) {
    EvalOptions options;
    options.records = true;
    options.bootstrapIterations = 0;  // only the per-item labels are used
    return pairSelfAnswers(task, Evaluator(model).run(task, options, progress, cancel));
}

}  // namespace avss
