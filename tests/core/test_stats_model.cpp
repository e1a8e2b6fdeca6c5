// Statistics collected during real forward passes of tiny random models: equal to brute force over
// every kept activation, invariant to padding and to chunking, both reductions agree, and the
// collection pipeline (windows, shards, progress, cancel, bad input, stale cache) behaves.
#include "support/torch_catch.h"  // torch first, then Catch's CHECK (not glog's)

#include <iostream>
#include <map>

#include "analysis/stats_observer.h"
#include "avss/collect.h"
#include "avss/corpus.h"
#include "avss/corpus_tokens.h"
#include "avss/error.h"
#include "avss/layer_scores.h"
#include "avss/stats_cache.h"
#include "avss/what_if.h"
#include "core/test_stats_reference.h"
#include "model/model_impl.h"
#include "model/transformer.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

struct Fixture {
    test::TempDir dir;
    std::shared_ptr<const Model> model;
    explicit Fixture(test::TinySpec spec = {}) {
        setComputeThreads(1);
        torch::manual_seed(0);
        model = Model::load(test::writeTinyModel(dir.path(), spec), LoadOptions{Device::Cpu});
    }
    const Model::Impl& m() const { return modelImpl(*model); }
};

// Keeps a copy of every activation, and forwards them to the statistics observer.
struct Tee : model::ActivationObserver {
    analysis::StatsObserver* stats;
    std::map<std::pair<int, int>, at::Tensor> kept;  // (layer, point) → [B, T, W]
    explicit Tee(analysis::StatsObserver* s) : stats(s) {}
    bool wants(model::Site s) const override { return stats->wants(s); }
    void observe(model::Site s, const at::Tensor& x, const at::Tensor& mask) override {
        kept[{s.layer, static_cast<int>(s.point)}] = x.to(torch::kFloat64).clone();
        stats->observe(s, x, mask);
    }
};

// Left-padded batch of token sequences: tokens [B, T], mask [B, T].
std::pair<at::Tensor, at::Tensor> leftPadded(const std::vector<std::vector<std::int64_t>>& seqs) {
    std::size_t T = 0;
    for (const auto& s : seqs) T = std::max(T, s.size());
    auto tokens = torch::zeros({static_cast<std::int64_t>(seqs.size()), static_cast<std::int64_t>(T)}, torch::kInt64);
    auto mask = torch::zeros_like(tokens, torch::kBool);
    for (std::size_t b = 0; b < seqs.size(); ++b) {
        const auto pad = T - seqs[b].size();
        for (std::size_t t = 0; t < seqs[b].size(); ++t) {
            tokens[static_cast<std::int64_t>(b)][static_cast<std::int64_t>(pad + t)] = seqs[b][t];
            mask[static_cast<std::int64_t>(b)][static_cast<std::int64_t>(pad + t)] = true;
        }
    }
    return {tokens, mask};
}

std::vector<std::vector<std::int64_t>> randomSequences(int n, int minLen, int maxLen, int vocab, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::vector<std::int64_t>> out;
    for (int i = 0; i < n; ++i) {
        std::vector<std::int64_t> s(static_cast<std::size_t>(minLen + static_cast<int>(rng() % static_cast<std::uint64_t>(maxLen - minLen + 1))));
        for (auto& t : s) t = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(vocab));
        out.push_back(s);
    }
    return out;
}

test::KeptBatch keptBatch(const at::Tensor& x, const at::Tensor& mask, bool excludeFirst) {
    test::KeptBatch k{static_cast<int>(x.size(0)), static_cast<int>(x.size(1)), static_cast<int>(x.size(2)), {}, {}};
    const auto xc = x.contiguous();
    k.x.assign(xc.data_ptr<double>(), xc.data_ptr<double>() + xc.numel());
    for (int b = 0; b < k.B; ++b) {
        bool first = true;
        for (int t = 0; t < k.T; ++t) {
            const bool real = mask[b][t].item<bool>();
            k.counted.push_back(real && !(excludeFirst && first) ? 1 : 0);
            first = first && !real;
        }
    }
    return k;
}

void requireSameShard(const ShardStats& a, const ShardStats& b, double rel, bool compareReference = true) {
    REQUIRE(a.layers.size() == b.layers.size());
    for (std::size_t l = 0; l < a.layers.size(); ++l) {
        for (auto p : {StatPoint::BlockOut, StatPoint::MlpAct, StatPoint::AttnOut}) {
            INFO("layer " << l << " " << statPointName(p));
            auto x = a.layers[l].site(p), y = b.layers[l].site(p);
            if (!compareReference) x.refBatches = y.refBatches, x.refPooledVarSum = y.refPooledVarSum, x.refNearZeroSum = y.refNearZeroSum;
            if (y.empty()) CHECK(x.empty());
            else test::requireSameSite(x, y, rel);
        }
        test::requireSameTransition(a.layers[l].transition, b.layers[l].transition, rel);
    }
    REQUIRE(a.spans.sequences == b.spans.sequences);
    for (std::size_t i = 0; i < a.spans.angleSum.size(); ++i) CHECK(test::near(a.spans.angleSum[i], b.spans.angleSum[i], rel, 1e-12));
    CHECK(a.sequences == b.sequences);
}

// The same tiny model computing in float64, so that results no longer depend on the batch shape
// through float32 rounding (GEMM blocking): what remains is the statistics code alone.
std::unique_ptr<Model::Impl> float64Copy(const Model::Impl& m) {
    auto d = std::make_unique<Model::Impl>();
    d->info = m.info;  // the hyper-parameters too (hp refers to info.hparams)
    d->arch = m.arch;
    d->device = m.device;
    const auto cv = [](const at::Tensor& t) { return t.defined() ? t.to(torch::kFloat64) : t; };
    const auto pv = [&](const model::Projection& p) { return model::Projection(cv(p.fp32())); };
    d->weights.tokenEmbd = pv(m.weights.tokenEmbd);
    d->weights.outputNorm = cv(m.weights.outputNorm);
    d->weights.lmHead = pv(m.weights.lmHead);
    d->weights.invFreq = m.weights.invFreq;
    for (const auto& l : m.weights.layers) {
        auto w = l;  // convert what the forward pass multiplies with
        w.wqkv = pv(l.wqkv);
        w.bqkv = cv(l.bqkv);
        w.wo = pv(l.wo);
        w.wGateUp = pv(l.wGateUp);
        w.wDown = pv(l.wDown);
        d->weights.layers.push_back(w);
    }
    return d;
}

Corpus textCorpus(const std::string& text) {
    Corpus c;
    c.name = "test";
    c.format = "text";
    c.documents = {text};
    c.fingerprint = "fp-" + std::to_string(text.size());
    return c;
}

std::string prose(int words) {
    static const char* kWords[] = {"layer", "signal", "noise", "the", "model", "prunes", "blocks", "of", "residual", "streams"};
    std::string s;
    for (int i = 0; i < words; ++i) s += std::string(kWords[(i * 7 + i / 3) % 10]) + (i % 11 == 10 ? ".\n" : " ");
    return s;
}

}  // namespace

TEST_CASE("statistics equal brute force over every kept activation", "[stats][model]") {
    constexpr double kBrute = 1e-9;  // both sides sum the same float64 values in other orders (~1e-15 reached)
    Fixture f;
    const int L = f.m().hp.layers;
    StatsSettings settings;
    settings.attnOut = true;
    for (auto reduction : {analysis::Reduction::Fused, analysis::Reduction::Torch}) {
        for (bool excludeFirst : {false, true}) {
            DYNAMIC_SECTION((reduction == analysis::Reduction::Fused ? "fused" : "torch ops") << (excludeFirst ? ", first excluded" : "")) {
                settings.excludeFirstToken = excludeFirst;
                torch::InferenceMode guard;
                analysis::StatsObserver observer(L, f.m().hp.hidden, f.m().hp.ffn, settings, reduction);
                Tee tee(&observer);
                ShardStats shard;
                std::map<std::pair<int, int>, std::vector<test::KeptBatch>> kept;
                std::vector<std::vector<double>> lastStates(static_cast<std::size_t>(L) + 1);  // flattened [seq][H]
                for (std::uint64_t batch = 0; batch < 2; ++batch) {
                    const auto [tokens, mask] = leftPadded(randomSequences(3, 2, 11, f.m().hp.vocab, 40 + batch));
                    model::ForwardOptions fo;
                    fo.observer = &tee;
                    fo.logits = model::Logits::None;
                    observer.beginBatch(mask, shard);
                    model::forward(f.m(), tokens, mask, fo);
                    observer.endBatch();
                    for (const auto& [key, x] : tee.kept) kept[key].push_back(keptBatch(x, mask, excludeFirst));
                }
                const auto P = [](StatPoint p) { return static_cast<int>(p); };
                test::g_worstNear = 0;
                for (int l = 0; l < L; ++l) {
                    INFO("layer " << l);
                    test::requireSameSite(shard.layers[l].blockOut, test::bruteForceSite(kept[{l, P(StatPoint::BlockOut)}], settings), kBrute);
                    test::requireSameSite(shard.layers[l].mlpAct, test::bruteForceSite(kept[{l, P(StatPoint::MlpAct)}], settings), kBrute);
                    test::requireSameSite(shard.layers[l].attnOut, test::bruteForceSite(kept[{l, P(StatPoint::AttnOut)}], settings), kBrute);
                    test::requireSameTransition(shard.layers[l].transition,
                                                test::bruteForceTransition(kept[{l, P(StatPoint::BlockIn)}], kept[{l, P(StatPoint::BlockOut)}]), kBrute);
                }
                CHECK(shard.sequences == 6);
                std::cout << "brute force: largest relative difference " << test::g_worstNear << "\n";
            }
        }
    }
}

TEST_CASE("last-token span angles equal brute force", "[stats][model]") {
    Fixture f;
    const int L = f.m().hp.layers;
    torch::InferenceMode guard;
    analysis::StatsObserver observer(L, f.m().hp.hidden, f.m().hp.ffn, StatsSettings{});
    Tee tee(&observer);
    ShardStats shard;
    const auto [tokens, mask] = leftPadded(randomSequences(4, 3, 9, f.m().hp.vocab, 5));
    model::ForwardOptions fo;
    fo.observer = &tee;
    observer.beginBatch(mask, shard);
    model::forward(f.m(), tokens, mask, fo);
    observer.endBatch();
    const auto T = tokens.size(1);
    auto state = [&](int s, int b) {  // h_s at the last (real) position T − 1 of sequence b
        const auto key = s == 0 ? std::make_pair(0, static_cast<int>(StatPoint::BlockIn)) : std::make_pair(s - 1, static_cast<int>(StatPoint::BlockOut));
        return tee.kept[key][b][T - 1];
    };
    REQUIRE(shard.spans.sequences == 4);
    for (int i = 0; i <= L; ++i) {
        for (int j = i + 1; j <= L; ++j) {
            double sum = 0;
            for (int b = 0; b < 4; ++b) {
                const auto u = state(i, b), v = state(j, b);
                const double cos = (u * v).sum().item<double>() / std::sqrt((u * u).sum().item<double>() * (v * v).sum().item<double>());
                sum += std::acos(std::clamp(cos, -1.0, 1.0)) / M_PI;
            }
            CHECK(test::near(shard.spans.meanAngle(i, j), sum / 4, 1e-9));
        }
    }
}

// Runs the sequences batched with left padding and one at a time; returns both shards.
std::pair<ShardStats, ShardStats> batchedAndAlone(const Model::Impl& m, const std::vector<std::vector<std::int64_t>>& seqs,
                                                  const StatsSettings& settings) {
    torch::InferenceMode guard;
    analysis::StatsObserver observer(m.hp.layers, m.hp.hidden, m.hp.ffn, settings);
    model::ForwardOptions fo;
    fo.observer = &observer;
    fo.logits = model::Logits::None;
    ShardStats batched, alone;
    const auto [tokens, mask] = leftPadded(seqs);
    observer.beginBatch(mask, batched);
    model::forward(m, tokens, mask, fo);
    observer.endBatch();
    for (const auto& s : seqs) {
        const auto [t1, m1] = leftPadded({s});
        observer.beginBatch(m1, alone);
        model::forward(m, t1, m1, fo);
        observer.endBatch();
    }
    return {batched, alone};
}

TEST_CASE("left padding and batching do not change the statistics", "[stats][model]") {
    Fixture f;
    const auto seqs = randomSequences(4, 3, 12, f.m().hp.vocab, 9);
    for (bool excludeFirst : {false, true}) {
        StatsSettings settings;
        settings.excludeFirstToken = excludeFirst;
        // The reference-code preset averages per batch, so it depends on batching by design.
        SECTION(std::string("float64 model: identical to 1e-9 relative") + (excludeFirst ? ", first excluded" : "")) {
            const auto d = float64Copy(f.m());
            const auto [batched, alone] = batchedAndAlone(*d, seqs, settings);
            test::g_worstNear = 0;
            requireSameShard(batched, alone, 1e-9, /*compareReference=*/false);
            std::cout << "padding (stats, fp64 model): largest relative difference " << test::g_worstNear << "\n";
        }
        // The forward pass's own float rounding differs between batch shapes by ~1e-6 relative.
        SECTION(std::string("float32 model: equal to 1e-5 relative") + (excludeFirst ? ", first excluded" : "")) {
            const auto [batched, alone] = batchedAndAlone(f.m(), seqs, settings);
            test::g_worstNear = 0;
            requireSameShard(batched, alone, 1e-5, /*compareReference=*/false);
            std::cout << "padding (stats, fp32 model): largest relative difference " << test::g_worstNear << "\n";
        }
    }
}

TEST_CASE("chunks merged in any order equal one pass; fused and torch reductions agree", "[stats][model]") {
    Fixture f;
    const int L = f.m().hp.layers;
    torch::InferenceMode guard;
    std::vector<ShardStats> parts(3);
    ShardStats whole, viaTorch;
    const int H = f.m().hp.hidden, F = f.m().hp.ffn;
    analysis::StatsObserver fused(L, H, F, StatsSettings{}), ops(L, H, F, StatsSettings{}, analysis::Reduction::Torch);
    model::ForwardOptions fo;
    fo.logits = model::Logits::None;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto [tokens, mask] = leftPadded(randomSequences(2 + static_cast<int>(i), 4, 10, f.m().hp.vocab, 70 + i));
        for (auto* target : {&parts[i], &whole}) {
            fo.observer = &fused;
            fused.beginBatch(mask, *target);
            model::forward(f.m(), tokens, mask, fo);
            fused.endBatch();
        }
        fo.observer = &ops;
        ops.beginBatch(mask, viaTorch);
        model::forward(f.m(), tokens, mask, fo);
        ops.endBatch();
    }
    for (const auto& order : std::vector<std::vector<int>>{{0, 1, 2}, {2, 1, 0}, {1, 2, 0}}) {
        ShardStats merged;
        for (int i : order) merged.merge(parts[static_cast<std::size_t>(i)]);
        requireSameShard(merged, whole, 1e-9);
    }
    requireSameShard(viaTorch, whole, 1e-9);
}

TEST_CASE("collectStats: windows, shards, provenance and progress", "[stats][model]") {
    Fixture f;
    const auto corpus = textCorpus(prose(400));
    CollectOptions o;
    o.sequenceLength = 32;
    o.batchSize = 1;
    o.shards = 4;
    std::vector<Progress> seen;
    const auto st = collectStats(*f.model, corpus, o, [&](const Progress& p) { seen.push_back(p); });
    const auto& p = st.provenance;
    CHECK(p.modelFingerprint == f.model->info().fingerprint);
    CHECK(p.dataFingerprint == corpus.fingerprint);
    CHECK(p.sequences == static_cast<int>(p.tokensAvailable / 32));
    CHECK(p.tokens == p.sequences * 32);
    CHECK(p.shardCount == 4);
    CHECK_FALSE(p.bosPerWindow);  // the tiny tokenizer adds no BOS
    REQUIRE(st.shards.size() == 4);
    std::int64_t seqs = 0;
    for (const auto& s : st.shards) seqs += s.sequences;
    CHECK(seqs == p.sequences);
    CHECK(st.merged().tokens() == p.tokens);
    REQUIRE_FALSE(seen.empty());
    CHECK(seen.back().stage == "analysing");
    CHECK(seen.back().unit == "tokens");
    CHECK(seen.back().done == p.tokens);
    CHECK(seen.back().total == p.tokens);
    // One shard with the same batches gives the same merged statistics.
    o.shards = 1;
    const auto one = collectStats(*f.model, corpus, o);
    requireSameShard(st.merged(), one.shards.front(), 1e-9);
    // Excluding the first position drops one token per sequence.
    o.settings.excludeFirstToken = true;
    CHECK(collectStats(*f.model, corpus, o).merged().tokens() == p.tokens - p.sequences);
    for (const auto& id : metricIds()) CHECK_NOTHROW(scoreLayers(st, id));
}

TEST_CASE("collectStats: fewer windows than shards, too little text, bad options", "[stats][model]") {
    Fixture f;
    CollectOptions o;
    o.sequenceLength = 64;
    const auto few = collectStats(*f.model, textCorpus(prose(50)), o);
    CHECK(few.provenance.shardCount == few.provenance.sequences);
    CHECK(few.provenance.shardCount < 8);
    CHECK_THAT(few.provenance.warnings.front(), Contains("shards instead of 8"));
    CHECK_THROWS_WITH(collectStats(*f.model, textCorpus("too short"), o), Contains("test") && Contains("fewer than one sequence of 64"));
    try {  // domain words only; the front end adds its names for the settings
        o.maxTokens = 4;
        collectStats(*f.model, textCorpus(prose(50)), o);
        FAIL("four tokens made a sequence of 64");
    } catch (const UsageError& e) {
        CHECK((e.settings() == std::vector<Setting>{Setting::SequenceLength, Setting::MaxTokens}));
        CHECK_THAT(e.what(), !Contains("--") && Contains("smaller sequence length"));
    }
    o.maxTokens = 0;
    o.sequenceLength = 100000;
    CHECK_THROWS_WITH(collectStats(*f.model, textCorpus(prose(50)), o), Contains("context length"));
    o.sequenceLength = 16;
    o.settings.absThresholds = {-1.0};
    CHECK_THROWS_AS(collectStats(*f.model, textCorpus(prose(50)), o), UsageError);
}

TEST_CASE("bad calibration files are refused before any statistics are computed", "[stats][model]") {
    test::TempDir dir;
    test::writeText(dir / "empty.txt", "");
    CHECK_THROWS_AS(loadCorpus((dir / "empty.txt").string()), FormatError);
    test::writeBytes(dir / "binary.txt", {'a', 0, 0x7f, 0xff, 'b'});
    CHECK_THROWS_WITH(loadCorpus((dir / "binary.txt").string()), Contains("binary.txt"));
    CHECK_THROWS_AS(loadCorpus((dir / "missing.txt").string()), IoError);
}

TEST_CASE("a cancel between batches stops collection", "[stats][model]") {
    Fixture f;
    CollectOptions o;
    o.sequenceLength = 16;
    o.batchSize = 1;
    CancelToken token;
    int calls = 0;
    const auto cancelAfterFirst = [&](const Progress& p) {
        if (p.done > 0) token.cancel();
        ++calls;
    };
    CHECK_THROWS_AS(collectStats(*f.model, textCorpus(prose(200)), o, cancelAfterFirst, &token), Cancelled);
    CHECK(calls == 2);  // the start report and one batch
}

TEST_CASE("a cache written for one model or text is stale for another", "[stats][model][cache]") {
    Fixture a, b(test::TinySpec{3, 32, 4, 2, 64, 256, 10000.0, 2});
    CollectOptions o;
    o.sequenceLength = 32;
    const auto corpus = textCorpus(prose(300));
    const auto st = collectStats(*a.model, corpus, o);
    StatsCache cache(a.dir / "analysis.h5");
    cache.store(st);
    CHECK(cache.find(wantedProvenance(a.model->info(), corpus, o)).hit());
    const auto other = cache.find(wantedProvenance(b.model->info(), corpus, o));
    CHECK(other.status == CacheStatus::Stale);
    CHECK_THAT(other.reason, Contains("model"));
    CHECK(cache.find(wantedProvenance(a.model->info(), textCorpus(prose(301)), o)).status == CacheStatus::Stale);
    const auto back = cache.load();
    for (const auto& id : metricIds()) {
        const auto x = scoreLayers(st, id), y = scoreLayers(back, id);
        for (std::size_t l = 0; l < x.layers.size(); ++l) CHECK(x.layers[l].value == y.layers[l].value);
    }
}

TEST_CASE("what-if: the note says when fewer held-out tokens follow than asked and what a short last window drops", "[stats][model][whatif]") {
    Fixture f;
    const auto corpus = loadCorpus("builtin");
    const auto total = static_cast<std::int64_t>(tokenizeCorpus(f.model->tokenizer(), corpus).tokens.size());
    CollectOptions o;
    auto prov = wantedProvenance(f.model->info(), corpus, o);
    prov.calibrationTokens = total - 700;  // 700 tokens follow: two windows of 256 fit, 1,024 do not
    WhatIfOptions w;
    w.heldOut.maxTokens = 1024;
    w.heldOut.window = 256;
    w.removed = {1};
    const auto r = measureWhatIf(*f.model, corpus, prov, w);
    CHECK(r.heldOutTokens == 700);
    CHECK(r.predictedTokens == 2 * 255);
    CHECK_THAT(r.note, Contains("only 700 of the 1024 requested held-out tokens") &&
                           Contains("the last 188 tokens do not fill a window of 256"));
    w.heldOut.maxTokens = 512;  // exactly two windows: nothing to say
    CHECK(measureWhatIf(*f.model, corpus, prov, w).note.empty());
}
