// Reading a model's weights out of a GGUF file into torch tensors (dequantised to fp32), kept as
// fp32 or re-quantised to compact int8 blocks (WeightStorage).
#pragma once

#include <c10/core/Device.h>

#include <string>
#include <vector>

#include "avss/cancel.h"
#include "avss/progress.h"
#include "io/gguf_file.h"
#include "model/model_impl.h"

namespace avss::model {

struct LoadedWeights {
    Weights weights;
    std::vector<std::string> unusedTensors;  // present in the file but not consumed (reported, not fatal)
    std::int64_t parameterCount = 0;         // distinct parameters (tied LM head counted once)
    bool tiedEmbeddings = false;
    std::uint64_t weightBytes = 0;           // storage held by the weights (tied LM head once)
};

// Every expected tensor must exist with the expected shape (FormatError naming the tensor, expected
// vs found); each is converted exactly once. Q/K rows are un-permuted when arch.ggufPermutedQK.
LoadedWeights loadWeights(const io::GgufFile& f, const ArchTraits& arch, const HyperParams& hp, c10::Device device,
                          WeightStorage storage, const ProgressFn& progress, const CancelToken* cancel);

}  // namespace avss::model
