// One streaming forward pass over calibration text that fills ActivationStats (activation_stats.h).
//
// Text → sequences: the corpus is joined (documents separated by a blank line) and tokenized
// without special tokens, as a stream that stops once maxTokens tokens are read (avss/corpus_tokens.h:
// the same tokens as tokenizing the joined text whole, in bounded memory); the tokens are cut into
// non-overlapping windows of sequenceLength tokens (sequenceLength − 1 plus a leading BOS when the
// tokenizer adds BOS); the remainder is dropped.
// Windows are split into `shards` contiguous groups; batches never span shards.
#pragma once

#include "avss/activation_stats.h"
#include "avss/cancel.h"
#include "avss/corpus.h"
#include "avss/model.h"
#include "avss/progress.h"

namespace avss {

// Statistics are reduced on the model's device inside the forward pass; only per-channel vectors
// and scalars leave it per batch. Progress: stage "analysing", unit "tokens", once per batch.
// Throws UsageError (bad options, text shorter than one sequence), Cancelled (checked between
// batches). Opens its own inference guard; call it from any thread.
ActivationStats collectStats(const Model& model, const Corpus& corpus, const CollectOptions& options,
                             const ProgressFn& progress = {}, const CancelToken* cancel = nullptr);

// The model's part of any provenance: fingerprint, name, weight storage, shapes, tool version.
StatsProvenance modelProvenance(const ModelInfo& model);

// The provenance collectStats() would record, without running the model (counts left 0): what a
// cache lookup compares against.
StatsProvenance wantedProvenance(const ModelInfo& model, const Corpus& corpus, const CollectOptions& options);

}  // namespace avss
