// Logit checks of the tiny-family fixtures against transformers' references (header-only: the
// support library has no torch). Used by the family parity tests.
#pragma once

#include "support/torch_catch.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "avss/model.h"
#include "model/model_impl.h"
#include "model/transformer.h"

namespace avss::test {

inline std::string dataFile(const std::string& name) { return std::string(AVSS_TEST_DATA_DIR) + "/" + name; }

// Logits [T, V] of one unpadded sequence.
inline at::Tensor logitsOf(const Model& m, const nlohmann::json& ids) {
    torch::NoGradGuard g;
    const auto tokens = torch::tensor(ids.get<std::vector<std::int64_t>>(), torch::kInt64).unsqueeze(0);
    return model::forward(modelImpl(m), tokens, torch::ones_like(tokens, torch::kBool))[0];
}

inline at::Tensor tensorOf(const nlohmann::json& nested) {
    std::vector<float> flat;
    for (const auto& row : nested) {
        for (const auto& v : row) flat.push_back(v.get<float>());
    }
    return torch::tensor(flat).view({static_cast<std::int64_t>(nested.size()), -1});
}

inline double relErr(const at::Tensor& ours, const at::Tensor& ref) {
    return (ours - ref).abs().max().item<double>() / ref.abs().max().item<double>();
}

// Every position of every reference sequence: max |Δ| / max |logit| below 1e-5 (fp32 in another
// summation order reaches ~3e-6) and the same argmax. Returns the worst relative error.
inline double checkLogits(const Model& m, const nlohmann::json& sequences) {
    double worst = 0;
    for (const auto& s : sequences) {
        const auto expected = tensorOf(s.at("logits"));
        const auto ours = logitsOf(m, s.at("ids"));
        REQUIRE(ours.sizes() == expected.sizes());
        worst = std::max(worst, relErr(ours, expected));
        CHECK(relErr(ours, expected) < 1e-5);
        CHECK(torch::equal(ours.argmax(-1), expected.argmax(-1)));
    }
    return worst;
}

}  // namespace avss::test
