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

}  // namespace avss::model
