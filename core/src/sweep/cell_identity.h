// The identity of one sweep cell: everything that changes the scores of a task evaluated with a set
// of blocks skipped. Declared once here; the cell store's file name and stale check follow from it.
#pragma once

#include <string>
#include <vector>

#include "avss/analysis_identity.h"
#include "avss/eval_task.h"
#include "avss/evaluator.h"
#include "avss/model.h"

namespace avss::sweep {

// Bump when the Evaluator's numbers for the same inputs change (templates, tokenisation, scoring).
constexpr int kEvalCellVersion = 1;

// SHA-256 over what the task's reader produced (contexts, choices, labels, prompts, references,
// stop strings and the exact-match rule); perplexity: the text's corpus fingerprint. A reader or
// file change therefore changes every cell key. Throws what openCorpus throws (perplexity).
std::string taskFingerprint(const TaskData& task);

AnalysisIdentity evalCellIdentity(const ModelInfo& model, const TaskData& task, const std::string& taskFingerprint,
                                  const EvalOptions& options, const std::vector<int>& removed);

}  // namespace avss::sweep
