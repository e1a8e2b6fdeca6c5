// Reading a decoder model's hyper-parameters from GGUF metadata, validated (bounded) before any
// weight is touched.
#pragma once

#include <vector>

#include "avss/hyper_params.h"
#include "io/gguf_file.h"
#include "model/arch_traits.h"

namespace avss::model {

// Throws FormatError naming the file and the key when a value is missing, mistyped or out of range.
HyperParams readHParams(const io::GgufFile& f, const ArchTraits& arch);

// UsageError "layer N does not exist (the model has layers 0..L-1)" for the first number outside
// [0, layerCount): the one check behind skip masks, layer choices, training and tuned exports.
void checkLayerNumbers(const std::vector<int>& layers, int layerCount);

// YaRN as transformers and llama.cpp compute it: pair i's inverse frequency is interpolated (divided by the
// factor) or extrapolated (kept) along a ramp between the correction dimensions of beta_fast and beta_slow
// rotations over the original context. Returns each pair's divisor (headDim / 2 of them).
std::vector<double> yarnDivisors(const YarnScaling& y, double base, int headDim);
// The attention factor both use when the model gives none: 0.1 ln(factor) + 1 (1 for factor <= 1).
double yarnDefaultAttention(double factor);

}  // namespace avss::model
