// Hyper-parameters of a decoder model, read from GGUF metadata and validated (bounded) before any
// weight is touched.
#pragma once

#include <cstdint>

#include "io/gguf_file.h"
#include "model/arch_traits.h"

namespace avss::model {

struct HParams {
    int layers = 0;
    int hidden = 0;
    int ffn = 0;
    int heads = 0;
    int kvHeads = 0;
    int headDim = 0;
    int vocab = 0;
    int contextLength = 0;
    double ropeBase = 10000.0;
    double normEps = 1e-5;
    int qRows() const { return heads * headDim; }
    int kvRows() const { return kvHeads * headDim; }
};

// Throws FormatError naming the file and the key when a value is missing, mistyped or out of range.
HParams readHParams(const io::GgufFile& f, const ArchTraits& arch);

}  // namespace avss::model
