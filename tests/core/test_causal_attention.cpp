// The fused causal attention kernel against a double-precision masked softmax, for every mask it
// handles (causal, cached keys, sliding window, left padding) and both instruction sets; and the
// model's fused prefill against its blocked GEMM path.
#include "support/torch_catch.h"

#include <iostream>
#include <limits>

#include "avss/model.h"
#include "kernels/causal_attention.h"
#include "model/model_impl.h"
#include "model/transformer.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

using namespace avss;
using kernels::AttentionIsa;

namespace {

struct Case {
    const char* name;
    std::int64_t batch, kvHeads, groups, headDim, queries, keys, window;
    std::vector<std::int64_t> firstKey;  // empty: no padding
};

// softmax over the keys each query may see, computed in `dtype`: the mask rules written out one by one.
at::Tensor reference(const Case& c, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, torch::Dtype dtype) {
    const auto qd = q.to(dtype), kd = k.to(dtype), vd = v.to(dtype);
    auto out = torch::zeros(q.sizes(), qd.options());
    const auto offset = c.keys - c.queries;
    for (std::int64_t b = 0; b < c.batch; ++b) {
        const std::int64_t first = c.firstKey.empty() ? 0 : c.firstKey[static_cast<std::size_t>(b)];
        auto biasD = torch::zeros({c.queries, c.keys}, torch::kFloat64).fill_(-std::numeric_limits<double>::infinity());
        auto acc = biasD.accessor<double, 2>();
        for (std::int64_t t = 0; t < c.queries; ++t) {
            const auto self = offset + t;
            for (std::int64_t s = 0; s <= self; ++s) {
                const bool inWindow = c.window == 0 || s > self - c.window;
                const bool real = self < first ? s == self : s >= first;
                if (inWindow && real) acc[t][s] = 0.0;
            }
        }
        const auto bias = biasD.to(dtype);
        for (std::int64_t h = 0; h < c.kvHeads * c.groups; ++h) {
            const auto scores = torch::matmul(qd[b].select(1, h), kd[b][h / c.groups].transpose(0, 1)) + bias;
            out[b].select(1, h).copy_(torch::matmul(torch::softmax(scores, -1), vd[b][h / c.groups]));
        }
    }
    return out;
}

// Runs the kernel on q [B, T, Hq, D] taken from a wider qk tensor (as the model lays it out) and
// k, v inside a longer cache storage, so every stride differs from the dense one.
at::Tensor runKernel(const Case& c, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, AttentionIsa isa) {
    const auto Hq = c.kvHeads * c.groups;
    auto qk = torch::zeros({c.batch, c.queries, Hq + c.kvHeads, c.headDim});
    qk.narrow(2, 0, Hq).copy_(q);
    auto kStore = torch::full({c.batch, c.kvHeads, c.keys + 7, c.headDim}, 1e30f), vStore = kStore.clone();
    kStore.narrow(2, 0, c.keys).copy_(k);
    vStore.narrow(2, 0, c.keys).copy_(v);
    auto out = torch::full({c.batch, c.queries, Hq, c.headDim}, std::numeric_limits<float>::quiet_NaN());
    kernels::AttentionArgs a;
    a.batch = c.batch, a.kvHeads = c.kvHeads, a.groups = c.groups, a.headDim = c.headDim;
    a.queries = c.queries, a.keys = c.keys, a.window = c.window;
    a.firstKey = c.firstKey.empty() ? nullptr : c.firstKey.data();
    a.q = qk.data_ptr<float>(), a.qB = qk.stride(0), a.qT = qk.stride(1), a.qH = qk.stride(2);
    a.k = kStore.data_ptr<float>(), a.kB = kStore.stride(0), a.kH = kStore.stride(1), a.kS = kStore.stride(2);
    a.v = vStore.data_ptr<float>(), a.vB = vStore.stride(0), a.vH = vStore.stride(1), a.vS = vStore.stride(2);
    a.out = out.data_ptr<float>(), a.oB = out.stride(0), a.oT = out.stride(1), a.oH = out.stride(2);
    kernels::causalAttention(a, isa);
    return out;
}

}  // namespace

TEST_CASE("fused causal attention equals a double-precision masked softmax for every mask it takes", "[kernels][attention]") {
    const std::vector<Case> cases = {
        {"causal, 70 keys (a partial key block)", 2, 3, 3, 64, 70, 70, 0, {}},
        {"cached keys: 5 new queries after 128 cached", 1, 2, 4, 64, 5, 133, 0, {}},
        {"sliding window of 17", 1, 1, 2, 64, 100, 100, 17, {}},
        {"sliding window with cached keys", 2, 1, 3, 32, 9, 90, 40, {}},
        {"left padding: rows start at keys 0, 37 and 79", 3, 2, 2, 64, 80, 80, 0, {0, 37, 79}},
        {"head size 128, one query per KV head", 1, 4, 1, 128, 33, 33, 0, {}},
        {"head size 256 (Gemma)", 1, 1, 2, 256, 20, 20, 0, {}},
        {"one query (a decoding step) over 200 keys", 2, 3, 3, 64, 1, 200, 0, {}},
        {"long window: 600 keys, scores spanning 40 units", 1, 1, 3, 64, 600, 600, 0, {}},
    };
    for (const auto isa : {AttentionIsa::Best, AttentionIsa::Avx2}) {
        for (const auto& c : cases) {
            if (!kernels::fusedAttentionAvailable(c.headDim, isa)) {
                WARN("no " << (isa == AttentionIsa::Best ? "best" : "AVX2") << " kernel for head size " << c.headDim << " on this CPU");
                continue;
            }
            INFO(c.name << (isa == AttentionIsa::Avx2 ? " (AVX2)" : " (best)"));
            torch::manual_seed(7);
            const auto scale = c.queries == 600 ? 2.0f : 0.5f;  // large scores: the running maximum must move often
            const auto q = torch::randn({c.batch, c.queries, c.kvHeads * c.groups, c.headDim}) * scale;
            const auto k = torch::randn({c.batch, c.kvHeads, c.keys, c.headDim});
            const auto v = torch::randn({c.batch, c.kvHeads, c.keys, c.headDim});
            const auto got = runKernel(c, q, k, v, isa);
            const auto want = reference(c, q, k, v, torch::kFloat64);
            REQUIRE(torch::isfinite(got).all().item<bool>());
            // fp32 scores carry rounding of their own (large at scores of ±60): the kernel may be off by
            // a small multiple of what the same formula in fp32 torch ops is off by, never more.
            const double err = (got.to(torch::kFloat64) - want).abs().max().item<double>();
            const double fp32Err = (reference(c, q, k, v, torch::kFloat32).to(torch::kFloat64) - want).abs().max().item<double>();
            CAPTURE(err, fp32Err);
            CHECK(err <= std::max(2e-6 * want.abs().max().item<double>(), 3.0 * fp32Err));
        }
    }
}

TEST_CASE("fused causal attention refuses what it has no kernel for", "[kernels][attention][errors]") {
    CHECK_FALSE(kernels::fusedAttentionAvailable(48));   // not a multiple of 32
    CHECK_FALSE(kernels::fusedAttentionAvailable(512));  // wider than the tile's accumulators
    kernels::AttentionArgs a;
    a.headDim = 48;
    CHECK_THROWS_AS(kernels::causalAttention(a), std::invalid_argument);
}

TEST_CASE("a model's fused prefill gives the logits of its blocked GEMM path, padded batch and cached prompt too", "[kernels][attention][model]") {
    test::TempDir dir;
    test::TinySpec spec;
    spec.hidden = 256, spec.heads = 4, spec.kvHeads = 2, spec.ffn = 128;  // head size 64
    const auto model = Model::load(test::writeTinyModel(dir.path(), spec));
    const auto& m = modelImpl(*model);
    if (!kernels::fusedAttentionAvailable(m.hp.headDim)) {
        WARN("no fused attention kernel on this CPU: the model always takes the GEMM path");
        return;
    }
    torch::NoGradGuard g;
    torch::manual_seed(3);
    const auto ids = torch::randint(3, 250, {3, 90}, torch::kInt64);
    auto mask = torch::ones_like(ids, torch::kBool);
    mask[1].narrow(0, 0, 30).fill_(false);  // left padding
    mask[2].narrow(0, 0, 89).fill_(false);  // one real token
    model::ForwardOptions generic;
    std::vector<at::Tensor> weights;
    generic.attention = &weights;  // asking for the attention weights takes the GEMM path
    const auto want = model::forward(m, ids, mask, generic);
    const auto got = model::forward(m, ids, mask);
    const auto real = mask.unsqueeze(-1);
    const double scale = want.abs().max().item<double>();
    CHECK((got - want).masked_select(real).abs().max().item<double>() <= 1e-5 * scale);

    // The same prompt in two calls through the KV cache: 60 tokens, then 30 more.
    model::KvCache cache;
    model::ForwardOptions first;
    first.cache = &cache;
    model::forward(m, ids.narrow(1, 0, 60), mask.narrow(1, 0, 60), first);
    const auto rest = model::forward(m, ids.narrow(1, 60, 30), mask.narrow(1, 60, 30), first);
    CHECK((rest - want.narrow(1, 60, 30)).abs().max().item<double>() <= 1e-5 * scale);
}
