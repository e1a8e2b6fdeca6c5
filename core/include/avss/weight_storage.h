// How a loaded model keeps its weights: fp32 (the reference; every parity figure is for it) or
// compact int8 blocks (~3.6x less memory, faster decoding on the CPU; deviation in docs/engine.md).
#pragma once

#include <string_view>

namespace avss {

enum class WeightStorage { Fp32, Q8, Bf16 };

const char* weightStorageName(WeightStorage w);           // "fp32", "q8", "bf16"
WeightStorage parseWeightStorage(std::string_view name);  // the inverse; UsageError (about Setting::Weights) otherwise

}  // namespace avss
