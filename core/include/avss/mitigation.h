// A mitigation run's decisions and record: which layers train (EAVSS top k, the controls of
// docs/hallucination.md: lowest-EAVSS, seeded-random, all, or a list), and the report of a run
// (step log, held-out preference and task scores before and after). Torch-free.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "avss/answer_pairs.h"
#include "avss/contrastive_trainer.h"
#include "avss/divergence.h"
#include "avss/eval_result.h"
#include "avss/eval_task.h"
#include "avss/hallu_scores.h"

namespace avss {

enum class LayerChoice {
    Listed,       // the layers given
    TopEavss,     // "auto": the k most hallucination-prone layers
    LowestEavss,  // "lowest": the k least prone (control)
    Random,       // "random": k layers drawn with the seed (control)
    All,          // "all": every layer (control)
};
// "auto", "lowest", "random", "all"; anything else is a list (LayerChoice::Listed).
LayerChoice parseLayerChoice(std::string_view text);
const char* layerChoiceName(LayerChoice choice);

// Sorted layer numbers. k < 0: ⌊layers / 4⌋ (at least 1). UsageError when auto/lowest lack
// scores, a listed layer is out of range, or the list is empty.
std::vector<int> chooseLayers(LayerChoice choice, int layerCount, int k, const std::vector<int>& listed,
                              const HalluScores* scores, std::uint64_t seed);

// `spec` with every training question excluded (TaskSpec::excludedQuestions): a tuned model is never
// scored before and after on the questions it was trained on.
TaskSpec withoutTrainingQuestions(TaskSpec spec, const PairSet& train);

struct MitigationReport {
    std::string modelName, modelFingerprint;
    PairSpec train;
    std::int64_t trainPairs = 0;
    std::optional<PairSpec> heldOut;
    std::string layerChoice;           // layerChoiceName
    TrainOptions options;              // options.layers: the layers trained
    std::vector<TrainStep> steps;      // every step taken in this run (a resumed run: from the checkpoint on)
    int firstStep = 0;                 // steps taken before this run (resume)
    std::optional<PairPreference> before, after;  // held-out pairs
    std::vector<EvalResult> evalBefore, evalAfter;  // same tasks, same order
    std::string klText;                // the text of `divergence` (empty: not measured)
    std::optional<Divergence> divergence;  // KL(original ‖ tuned) per token on klText
    double trainSeconds = 0;
};

std::string mitigationReportJson(const MitigationReport& report);
void writeMitigationReport(const std::filesystem::path& file, const MitigationReport& report);  // atomic; IoError

}  // namespace avss
