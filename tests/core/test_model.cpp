// Forward-pass invariants on tiny random models: padding, KV cache, skip mask, observers, loading errors.
#include "support/torch_catch.h"

#include <iostream>

#include "avss/error.h"
#include "avss/generate.h"
#include "avss/model.h"
#include "io/gguf_file.h"
#include "io/gguf_writer.h"
#include "model/model_impl.h"
#include "model/transformer.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

at::Tensor ids(std::vector<std::int64_t> v) { return torch::tensor(v, torch::kInt64).unsqueeze(0); }

at::Tensor logitsOf(const Model& m, const at::Tensor& tokens, model::ForwardOptions o = {}) {
    torch::NoGradGuard g;
    return model::forward(modelImpl(m), tokens, torch::ones_like(tokens, torch::kBool), o);
}

double maxDiff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

// max |Δlogit| / max |logit| (docs/parity.md); fp32 sums in another order differ by ~1e-7 of it.
double g_worstRel = 0;  // largest seen, printed by the padding and KV-cache tests
double relDiff(const at::Tensor& a, const at::Tensor& b) {
    const double r = maxDiff(a, b) / b.abs().max().item<double>();
    g_worstRel = std::max(g_worstRel, r);
    return r;
}

struct Recorder : model::ActivationObserver {
    std::vector<model::Site> seen;
    std::map<std::pair<int, int>, at::Tensor> tensors;
    bool wants(model::Site) const override { return true; }
    void observe(model::Site s, const at::Tensor& x, const at::Tensor& mask) override {
        seen.push_back(s);
        tensors[{s.layer, static_cast<int>(s.point)}] = x.clone();
        CHECK(mask.sizes() == x.sizes().slice(0, 2));
    }
};

struct Refuser : model::ActivationObserver {
    mutable int asked = 0;
    bool wants(model::Site) const override { ++asked; return false; }
    void observe(model::Site, const at::Tensor&, const at::Tensor&) override { FAIL("observe called after wants() said no"); }
};

}  // namespace

TEST_CASE("tiny model loads with the expected info", "[model]") {
    torch::manual_seed(0);
    test::TempDir dir;
    const auto m = Model::load(test::writeTinyModel(dir.path()), LoadOptions{Device::Cpu});
    const auto& i = m->info();
    CHECK(i.arch == "llama");
    CHECK(i.hparams.layers == 3);
    CHECK(i.hparams.hidden == 32);
    CHECK(i.hparams.headDim == 8);
    CHECK(i.hparams.kvHeads == 2);
    CHECK(i.tiedEmbeddings);
    const std::int64_t V = i.hparams.vocab, H = 32, F = 64;
    CHECK(i.parameterCount == V * H + H + 3 * (2 * H + H * 32 + 2 * H * 16 + H * 32 + 3 * H * F));
    CHECK(i.fingerprint.size() == 64);
    CHECK(i.unusedTensors.empty());
    CHECK(i.device == "cpu");
}

TEST_CASE("device names round-trip; device errors name the setting, not a flag", "[model][errors]") {
    for (const Device d : {Device::Auto, Device::Cpu, Device::Cuda}) CHECK(parseDevice(deviceName(d)) == d);
    try {
        parseDevice("gpu");
        FAIL("parseDevice accepted 'gpu'");
    } catch (const UsageError& e) {
        CHECK((e.settings() == std::vector<Setting>{Setting::Device}));
        CHECK(std::string(e.what()).find("--") == std::string::npos);
    }
    test::TempDir dir;
    try {  // without a GPU the CUDA request fails; with one it loads
        Model::load(test::writeTinyModel(dir.path()), LoadOptions{Device::Cuda});
    } catch (const UnsupportedError& e) {
        CHECK((e.settings() == std::vector<Setting>{Setting::Device}));
        CHECK(std::string(e.what()).find("--") == std::string::npos);
        CHECK(std::string(e.what()).find("the CPU device") != std::string::npos);
    }
}

TEST_CASE("padding on either side leaves real positions unchanged", "[model]") {
    test::TempDir dir;
    const auto m = Model::load(test::writeTinyModel(dir.path()), LoadOptions{Device::Cpu});
    torch::NoGradGuard g;
    const auto a = ids({5, 70, 80, 90, 100, 33});
    const auto b = ids({200, 17, 42});
    const auto la = logitsOf(*m, a)[0], lb = logitsOf(*m, b)[0];
    // left padding: b is padded with 3 pads in front
    auto tokens = torch::tensor({5, 70, 80, 90, 100, 33, 2, 2, 2, 200, 17, 42}, torch::kInt64).view({2, 6});
    auto mask = torch::tensor({1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1}, torch::kBool).view({2, 6});
    auto out = model::forward(modelImpl(*m), tokens, mask);
    CHECK(relDiff(out[0], la) < 1e-5);
    CHECK(relDiff(out[1].narrow(0, 3, 3), lb) < 1e-5);
    // right padding
    tokens = torch::tensor({5, 70, 80, 90, 100, 33, 200, 17, 42, 2, 2, 2}, torch::kInt64).view({2, 6});
    mask = torch::tensor({1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, torch::kBool).view({2, 6});
    out = model::forward(modelImpl(*m), tokens, mask);
    CHECK(relDiff(out[1].narrow(0, 0, 3), lb) < 1e-5);
    CHECK_FALSE(torch::isnan(out).any().item<bool>());
    // LastOnly picks each row's last real token
    model::ForwardOptions o;
    o.logits = model::Logits::LastOnly;
    const auto last = model::forward(modelImpl(*m), tokens, mask, o);
    CHECK(relDiff(last[0], la[5]) < 1e-5);
    CHECK(relDiff(last[1], lb[2]) < 1e-5);
    std::cout << "padding (tiny, fp32): largest relative difference so far " << g_worstRel << "\n";
}

TEST_CASE("KV-cache decoding equals the full forward, with and without skipped layers", "[model]") {
    test::TempDir dir;
    const auto m = Model::load(test::writeTinyModel(dir.path(), {4, 32, 4, 2, 64}), LoadOptions{Device::Cpu});
    torch::NoGradGuard g;
    const std::vector<std::int64_t> seq{40, 41, 42, 43, 44, 45, 46, 47};
    for (const std::vector<int>& skipped : {std::vector<int>{}, std::vector<int>{1, 2}}) {
        const auto skip = model::skipMask(4, skipped);
        model::ForwardOptions full;
        full.skip = &skip;
        const auto reference = logitsOf(*m, ids(seq), full)[0];
        model::KvCache cache;
        model::ForwardOptions inc;
        inc.skip = &skip;
        inc.cache = &cache;
        auto first = logitsOf(*m, ids({40, 41, 42}), inc)[0];
        CHECK(relDiff(first, reference.narrow(0, 0, 3)) < 1e-5);
        for (std::size_t t = 3; t < seq.size(); ++t) {
            const auto step = logitsOf(*m, ids({seq[t]}), inc)[0][0];
            CHECK(relDiff(step, reference[static_cast<std::int64_t>(t)]) < 1e-5);
        }
        CHECK(cache.keys[1].defined() == skipped.empty());
    }
    std::cout << "KV cache (tiny, fp32): largest relative difference so far " << g_worstRel << "\n";
}

TEST_CASE("skip mask: nothing skipped is bit-identical, skipping changes the result", "[model]") {
    test::TempDir dir;
    const auto m = Model::load(test::writeTinyModel(dir.path()), LoadOptions{Device::Cpu});
    const auto t = ids({10, 20, 30, 40});
    const auto dense = logitsOf(*m, t);
    const auto none = model::skipMask(3, {});
    model::ForwardOptions o;
    o.skip = &none;
    CHECK(torch::equal(logitsOf(*m, t, o), dense));
    const auto one = model::skipMask(3, {1});
    o.skip = &one;
    CHECK(maxDiff(logitsOf(*m, t, o), dense) > 1e-3);
    CHECK_THROWS_AS(model::skipMask(3, {3}), UsageError);
    CHECK_THROWS_WITH(model::skipMask(3, {-1}), Contains("layer -1"));
}

TEST_CASE("observers see every site in order, cost nothing when they refuse", "[model]") {
    test::TempDir dir;
    const auto m = Model::load(test::writeTinyModel(dir.path()), LoadOptions{Device::Cpu});
    const auto t = ids({10, 20, 30, 40, 50});
    const auto dense = logitsOf(*m, t);
    Refuser refuser;
    model::ForwardOptions o;
    o.observer = &refuser;
    CHECK(torch::equal(logitsOf(*m, t, o), dense));
    CHECK(refuser.asked == 3 * kObservedPointCount);

    Recorder rec;
    const auto skip = model::skipMask(3, {1});
    o.observer = &rec;
    o.skip = &skip;
    logitsOf(*m, t, o);
    REQUIRE(rec.seen.size() == 2 * 4);  // layer 1 skipped: never observed
    CHECK(rec.seen[0].layer == 0);
    CHECK(rec.seen[4].layer == 2);
    using P = StatPoint;
    auto at = [&](int l, P p) { return rec.tensors.at({l, static_cast<int>(p)}); };
    CHECK(at(0, P::MlpAct).size(2) == 64);
    CHECK(at(0, P::BlockOut).size(2) == 32);
    CHECK(torch::equal(at(0, P::BlockOut), at(2, P::BlockIn)));  // skipped block passes the residual through
}

TEST_CASE("greedy generation with the KV cache equals argmax over full forwards", "[model][generate]") {
    test::TempDir dir;
    const auto m = Model::load(test::writeTinyModel(dir.path()), LoadOptions{Device::Cpu});
    GenerateOptions o;
    o.maxNewTokens = 12;
    o.stopAtEos = false;
    const std::vector<TokenId> prompt{60, 61, 62};
    const auto r = generate(*m, prompt, o);
    REQUIRE(r.tokens.size() == 12);
    std::vector<std::int64_t> seq(prompt.begin(), prompt.end());
    for (int i = 0; i < 12; ++i) {
        const auto next = logitsOf(*m, ids(seq))[0][-1].argmax().item<std::int64_t>();
        CHECK(next == r.tokens[static_cast<std::size_t>(i)]);
        seq.push_back(next);
    }
    o.temperature = 0.8;
    o.topP = 0.9;
    o.seed = 7;
    const auto s1 = generate(*m, prompt, o), s2 = generate(*m, prompt, o);
    CHECK(s1.tokens == s2.tokens);
    CHECK_THROWS_AS(generate(*m, {}, o), UsageError);
}

TEST_CASE("bad models give one clear error naming the file and the item", "[model][corrupt]") {
    test::TempDir dir;
    const auto good = test::writeTinyModel(dir.path());
    auto noop = [](io::GgufWriter&, const io::GgufFile&) {};
    SECTION("missing tensor") {
        const auto p = test::rewriteGguf(good, dir / "a.gguf", noop, "blk.1.ffn_up.weight");
        CHECK_THROWS_WITH(Model::load(p), Contains("a.gguf") && Contains("blk.1.ffn_up.weight") && Contains("missing"));
    }
    SECTION("wrong shape") {
        const auto p = test::rewriteGguf(good, dir / "b.gguf", [](io::GgufWriter& w, const io::GgufFile&) { w.setU32("llama.feed_forward_length", 65); });
        CHECK_THROWS_WITH(Model::load(p), Contains("b.gguf") && Contains("ffn_gate.weight") && Contains("expected [65, 32]"));
    }
    SECTION("unsupported architecture") {
        const auto p = test::rewriteGguf(good, dir / "c.gguf", [](io::GgufWriter& w, const io::GgufFile&) { w.setString("general.architecture", "rwkv6"); });
        CHECK_THROWS_AS(Model::load(p), UnsupportedError);
        CHECK_THROWS_WITH(Model::load(p), Contains("c.gguf") && Contains("'rwkv6' is not supported") && Contains("llama"));
    }
    SECTION("absurd layer count") {
        const auto p = test::rewriteGguf(good, dir / "d.gguf", [](io::GgufWriter& w, const io::GgufFile&) { w.setU32("llama.block_count", 4000000000u); });
        CHECK_THROWS_WITH(Model::load(p), Contains("d.gguf") && Contains("llama.block_count"));
    }
    SECTION("inconsistent heads") {
        const auto p = test::rewriteGguf(good, dir / "e.gguf", [](io::GgufWriter& w, const io::GgufFile&) { w.setU32("llama.attention.head_count_kv", 3); });
        CHECK_THROWS_WITH(Model::load(p), Contains("e.gguf") && Contains("head_count_kv"));
    }
    SECTION("a folder") {
        CHECK_THROWS_AS(Model::load(dir.path()), UnsupportedError);
    }
}
