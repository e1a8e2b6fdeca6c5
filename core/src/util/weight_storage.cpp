// Weight storage names, shared by the CLI's --weights, the explorer's settings and cache provenance.
#include "avss/weight_storage.h"

#include <string>

#include "avss/error.h"

namespace avss {

const char* weightStorageName(WeightStorage w) {
    switch (w) {
        case WeightStorage::Fp32: return "fp32";
        case WeightStorage::Q8: return "q8";
        case WeightStorage::Bf16: return "bf16";
    }
    return "fp32";
}

WeightStorage parseWeightStorage(std::string_view name) {
    for (const WeightStorage w : {WeightStorage::Fp32, WeightStorage::Q8, WeightStorage::Bf16}) {
        if (name == weightStorageName(w)) return w;
    }
    throw UsageError({}, "weights must be fp32, q8 or bf16, got '" + std::string(name) + "'", {}, {Setting::Weights});
}

}  // namespace avss
