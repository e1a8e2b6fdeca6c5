// Contrastive fine-tuning of chosen layers only (issue 11, docs/hallucination.md §5): the model is
// pulled towards truthful answers and away from hallucinated ones, every other parameter frozen.
// Loss per batch of pairs, with ℓ_X = mean log-probability of answer X's tokens after its question:
//   contrastive = mean softplus(−β (ℓ_T − ℓ_H))     (a logistic preference loss, length-normalised)
//   lm          = mean NLL of the truthful answers' tokens (keeps the model fluent)
//   loss        = contrastiveWeight · contrastive + lmWeight · lm
// AdamW, gradient-norm clipping, seeded data order; checkpoints resume exactly. Torch-free facade.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "avss/answer_pairs.h"
#include "avss/cancel.h"
#include "avss/model.h"

namespace avss {

struct TrainOptions {
    std::vector<int> layers;       // blocks to train (0-based); every other parameter is frozen
    int pairsPerStep = 8;          // pairs per optimiser step (2 × as many sequences)
    double learningRate = 1e-5;
    double weightDecay = 0.01;     // AdamW
    double clipNorm = 1.0;         // gradient-norm clipping over the trained parameters (0 = none)
    double beta = 1.0;             // sharpness of the preference term
    double contrastiveWeight = 1.0;
    double lmWeight = 1.0;
    bool lengthMatch = false;      // cut both answers of a pair to the shorter one (as hallu_stats)
    std::uint64_t seed = 0;        // data order (and nothing else: the model has no dropout)
};

struct TrainStep {
    int step = 0;                  // 1-based: the step just taken
    double loss = 0, contrastive = 0, lm = 0;
    double preference = 0;         // share of the step's pairs with ℓ_T > ℓ_H, before the update
    double gradNorm = 0;           // before clipping
    double seconds = 0;            // this step's wall time
};

// Preference of a model over held-out pairs: no update, no gradient.
struct PairPreference {
    std::int64_t pairs = 0;
    double accuracy = 0;           // share with ℓ_T > ℓ_H
    double meanMargin = 0;         // mean ℓ_T − ℓ_H (nats per token)
    double truthfulNll = 0;        // mean NLL per truthful-answer token
};
PairPreference measurePreference(const Model& model, const PairSet& pairs, bool lengthMatch = false, int batchPairs = 8,
                                 const CancelToken* cancel = nullptr);

class ContrastiveTrainer {
public:
    // The model must hold fp32 weights (UsageError otherwise: bf16 and q8 are inference storage).
    // UsageError for no layers, a layer out of range, no pairs or bad hyper-parameters.
    ContrastiveTrainer(std::shared_ptr<const Model> model, PairSet train, TrainOptions options);
    ~ContrastiveTrainer();
    ContrastiveTrainer(const ContrastiveTrainer&) = delete;
    ContrastiveTrainer& operator=(const ContrastiveTrainer&) = delete;

    // Takes optimiser steps until step() == untilStep, calling onStep after each; Cancelled between
    // steps (the steps taken so far stay, so a later run() or a checkpoint resumes from there).
    void run(int untilStep, const std::function<void(const TrainStep&)>& onStep = {}, const CancelToken* cancel = nullptr);
    int step() const;
    const TrainOptions& options() const;

    // Trained tensors, optimiser state, step and a fingerprint of the model, data and options.
    // load() throws FormatError naming the file when it belongs to another model, data or options.
    void saveCheckpoint(const std::filesystem::path& file) const;
    void loadCheckpoint(const std::filesystem::path& file);

    // The tuned model: shares the frozen tensors with the original, owns copies of the trained
    // layers (a snapshot: later steps do not change it). Runs anywhere a Model does. Its name ends
    // " (tuned)" and its fingerprint is its own (isTunedCopy).
    std::shared_ptr<const Model> tunedModel() const;

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

// Whether `tuned` came from tunedModel() of a trainer on `original`: its fingerprint is the
// original's plus "+tuned-<16 hex digits of the trained weights>", so no cache mistakes one for the other.
bool isTunedCopy(const ModelInfo& tuned, const ModelInfo& original);

}  // namespace avss
