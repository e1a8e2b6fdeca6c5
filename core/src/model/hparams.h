// Reading a decoder model's hyper-parameters from GGUF metadata, validated (bounded) before any
// weight is touched.
#pragma once

#include "avss/hyper_params.h"
#include "io/gguf_file.h"
#include "model/arch_traits.h"

namespace avss::model {

// Throws FormatError naming the file and the key when a value is missing, mistyped or out of range.
HyperParams readHParams(const io::GgufFile& f, const ArchTraits& arch);

}  // namespace avss::model
