// The model's weight products, every layer's four in forward order and then the LM head: the set
// bench_products and bench_decode time.
#pragma once

#include <vector>

#include "model/model_impl.h"
#include "model/projection.h"

namespace avss::bench {

inline std::vector<const model::Projection*> modelProducts(const Model::Impl& m) {
    std::vector<const model::Projection*> all;
    for (const auto& l : m.weights.layers) all.insert(all.end(), {&l.wqkv, &l.wo, &l.wGateUp, &l.wDown});
    all.push_back(&m.weights.lmHead);
    return all;
}

}  // namespace avss::bench
