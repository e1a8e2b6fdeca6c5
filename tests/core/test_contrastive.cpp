// Contrastive fine-tuning on a tiny random model: only the chosen layers change (every other
// tensor bitwise equal, the original model untouched), the loss goes down, a resumed run continues
// exactly, and bad settings or checkpoints are refused with a clear error.
#include "support/torch_catch.h"  // torch first, then Catch's CHECK (not glog's)

#include "avss/contrastive_trainer.h"
#include "avss/divergence.h"
#include "avss/error.h"
#include "avss/tuned_export.h"
#include "model/model_impl.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

using namespace avss;
using Catch::Matchers::Contains;

namespace {

PairSet tinyPairs(const std::filesystem::path& file) {
    PairSet p;
    p.spec.file = file;
    p.fingerprint = "tiny-pairs";
    p.pairs = {{"Q: where?\nA:", "here", "there", "p:1", "", ""},        {"Q: colour?\nA:", "blue", "green", "p:2", "", ""},
               {"Q: count?\nA:", "three", "seven", "p:3", "", ""},       {"Q: who?\nA:", "me", "them all", "p:4", "", ""},
               {"Q: when?\nA:", "now", "later on", "p:5", "", ""},       {"Q: how?\nA:", "so", "not like that", "p:6", "", ""}};
    p.questions = 6;
    return p;
}

struct Fixture {
    test::TempDir dir;
    std::shared_ptr<const Model> model;
    explicit Fixture(WeightStorage weights = WeightStorage::Fp32) {
        setComputeThreads(1);
        model = Model::load(test::writeTinyModel(dir.path()), LoadOptions{Device::Cpu, weights});
    }
};

// Deep copies of every tensor a model's forward reads, by name.
std::vector<std::pair<std::string, at::Tensor>> snapshot(const Model& model) {
    const auto& w = modelImpl(model).weights;
    std::vector<std::pair<std::string, at::Tensor>> out{{"token_embd", w.tokenEmbd.fp32().clone()},
                                                        {"output_norm", w.outputNorm.clone()},
                                                        {"lm_head", w.lmHead.fp32().clone()}};
    for (std::size_t l = 0; l < w.layers.size(); ++l) {
        const auto& lw = w.layers[l];
        const auto n = "blk." + std::to_string(l) + ".";
        out.push_back({n + "qkv", lw.wqkv.fp32().clone()});
        out.push_back({n + "o", lw.wo.fp32().clone()});
        out.push_back({n + "gate_up", lw.wGateUp.fp32().clone()});
        out.push_back({n + "down", lw.wDown.fp32().clone()});
    }
    return out;
}

std::vector<TrainStep> train(ContrastiveTrainer& t, int until) {
    std::vector<TrainStep> steps;
    t.run(until, [&](const TrainStep& s) { steps.push_back(s); });
    return steps;
}

}  // namespace

TEST_CASE("After training steps only the selected layers' parameters differ; every other one is bitwise equal", "[hallu][train]") {
    Fixture f;
    const auto before = snapshot(*f.model);
    TrainOptions o;
    o.layers = {1};
    o.learningRate = 1e-2;
    o.pairsPerStep = 3;
    ContrastiveTrainer trainer(f.model, tinyPairs(f.dir / "p.jsonl"), o);
    train(trainer, 2);
    const auto after = snapshot(*trainer.tunedModel());
    const auto original = snapshot(*f.model);
    REQUIRE(after.size() == before.size());
    for (std::size_t i = 0; i < before.size(); ++i) {
        INFO(before[i].first);
        CHECK(torch::equal(original[i].second, before[i].second));  // the shared original is never written
        if (before[i].first.rfind("blk.1.", 0) == 0) CHECK_FALSE(torch::equal(after[i].second, before[i].second));
        else CHECK(torch::equal(after[i].second, before[i].second));
    }
}

TEST_CASE("Training on a tiny model reduces the contrastive loss and raises the preference for truthful answers", "[hallu][train]") {
    Fixture f;
    const auto pairs = tinyPairs(f.dir / "p.jsonl");
    TrainOptions o;
    o.layers = {0, 1, 2};
    o.learningRate = 3e-3;
    o.pairsPerStep = 6;  // every pair every step: the losses compare like with like
    o.lmWeight = 0.1;
    ContrastiveTrainer trainer(f.model, pairs, o);
    const auto steps = train(trainer, 25);
    REQUIRE(steps.size() == 25);
    CHECK(steps.back().contrastive < 0.5 * steps.front().contrastive);
    CHECK(steps.back().step == 25);
    const auto pre = measurePreference(*f.model, pairs);
    const auto post = measurePreference(*trainer.tunedModel(), pairs);
    CHECK(post.meanMargin > pre.meanMargin);
    CHECK(post.accuracy == 1.0);
}

TEST_CASE("Resuming from a checkpoint continues exactly as an uninterrupted run", "[hallu][train]") {
    Fixture f;
    const auto pairs = tinyPairs(f.dir / "p.jsonl");
    TrainOptions o;
    o.layers = {0, 2};
    o.learningRate = 1e-2;
    o.pairsPerStep = 4;  // epochs of 6 pairs: steps straddle the reshuffle
    o.seed = 7;
    ContrastiveTrainer straight(f.model, pairs, o);
    const auto all = train(straight, 4);
    ContrastiveTrainer first(f.model, pairs, o);
    train(first, 2);
    first.saveCheckpoint(f.dir / "ckpt.pt");
    ContrastiveTrainer resumed(f.model, pairs, o);
    resumed.loadCheckpoint(f.dir / "ckpt.pt");
    CHECK(resumed.step() == 2);
    const auto rest = train(resumed, 4);
    REQUIRE(rest.size() == 2);
    CHECK(rest[0].loss == all[2].loss);
    CHECK(rest[1].loss == all[3].loss);
    const auto a = snapshot(*straight.tunedModel()), b = snapshot(*resumed.tunedModel());
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(torch::equal(a[i].second, b[i].second));
    // The tuned weights get their own fingerprint (no cache serves the original's statistics for
    // them): equal weights, equal fingerprints; other weights, other fingerprints.
    const auto tunedPrint = straight.tunedModel()->info().fingerprint;
    CHECK(tunedPrint == resumed.tunedModel()->info().fingerprint);
    CHECK(tunedPrint.rfind(f.model->info().fingerprint + "+tuned-", 0) == 0);
    CHECK(first.tunedModel()->info().fingerprint != tunedPrint);  // two steps fewer
    o.seed = 8;  // another run's checkpoint is refused
    ContrastiveTrainer other(f.model, pairs, o);
    CHECK_THROWS_WITH(other.loadCheckpoint(f.dir / "ckpt.pt"), Contains("ckpt.pt") && Contains("another model"));
    test::writeText(f.dir / "junk.pt", "not a checkpoint");
    CHECK_THROWS_WITH(other.loadCheckpoint(f.dir / "junk.pt"), Contains("junk.pt") && Contains("not a readable training checkpoint"));
    CHECK_THROWS_AS(other.loadCheckpoint(f.dir / "missing.pt"), IoError);
}

TEST_CASE("The trainer refuses bad settings", "[hallu][train][bad-input]") {
    Fixture f;
    const auto pairs = tinyPairs(f.dir / "p.jsonl");
    TrainOptions o;
    CHECK_THROWS_WITH(ContrastiveTrainer(f.model, pairs, o), Contains("no layers"));
    o.layers = {3};
    CHECK_THROWS_WITH(ContrastiveTrainer(f.model, pairs, o), Contains("layer 3 does not exist"));
    o.layers = {0};
    o.learningRate = 0;
    CHECK_THROWS_AS(ContrastiveTrainer(f.model, pairs, o), UsageError);
    o.learningRate = 1e-3;
    o.contrastiveWeight = o.lmWeight = 0;
    CHECK_THROWS_AS(ContrastiveTrainer(f.model, pairs, o), UsageError);
    o.contrastiveWeight = 1;
    CHECK_THROWS_AS(ContrastiveTrainer(f.model, PairSet{}, o), UsageError);
    std::filesystem::create_directories(f.dir / "q8");
    const auto q8 = Model::load(test::writeTinyModel(f.dir / "q8"), LoadOptions{Device::Cpu, WeightStorage::Q8});
    CHECK_THROWS_WITH(ContrastiveTrainer(q8, pairs, o), Contains("fp32 weights"));
}

TEST_CASE("A tuned model exports as GGUF that reloads to the same logits", "[hallu][train][export]") {
    Fixture f;
    TrainOptions o;
    o.layers = {0, 2};
    o.learningRate = 1e-2;
    ContrastiveTrainer trainer(f.model, tinyPairs(f.dir / "p.jsonl"), o);
    train(trainer, 2);
    const auto tuned = trainer.tunedModel();
    const auto r = exportTunedModel(*f.model, *tuned, o.layers, f.dir / "tuned.gguf");
    CHECK(r.selfChecked);  // reloaded logits within 1e-4 of the tuned model's (else the export throws)
    CHECK(r.maxLogitDiff < 1e-4 * std::max(1.0, r.maxLogit));
    CHECK(r.kept == std::vector<int>{0, 2});
    const auto reloaded = Model::load(f.dir / "tuned.gguf", LoadOptions{Device::Cpu});
    const auto& a = modelImpl(*reloaded).weights.layers[1];
    const auto& b = modelImpl(*f.model).weights.layers[1];
    CHECK(torch::equal(a.wqkv.fp32(), b.wqkv.fp32()));  // an untrained layer is copied as stored
    CHECK(torch::allclose(modelImpl(*reloaded).weights.layers[2].wGateUp.fp32(), modelImpl(*tuned).weights.layers[2].wGateUp.fp32(), 1e-5, 1e-6));
    CHECK_FALSE(torch::allclose(modelImpl(*reloaded).weights.layers[2].wGateUp.fp32(), modelImpl(*f.model).weights.layers[2].wGateUp.fp32()));
    CHECK_THROWS_AS(exportTunedModel(*f.model, *tuned, o.layers, f.model->info().path), UsageError);
}

TEST_CASE("Tuned exports keep each architecture's own tensor layout (fused phi3 tensors, gemma, qwen2 biases)", "[hallu][train][export]") {
    // The Hugging Face folders give folders: Q/K rows stay in HF order (mistral is a llama row whose GGUF
    // permutes them), Gemma's folder norms are stored as w for 1 + w.
    // gemma2/gemma3: the untrained post and q/k norms are copied; q's scale lives in q_norm, not in the q rows.
    // gpt2: LayerNorm biases exported as zero with their shift in the folded biases; Conv1D weights [in, out] in folders.
    for (const char* file : {"tiny_phi3.gguf", "tiny_gemma.gguf", "tiny_qwen2.gguf", "tiny_gemma2.gguf", "tiny_gemma3.gguf", "tiny_gpt2.gguf",
                             "tiny_phi3_hf", "tiny_gemma_hf", "tiny_qwen2_hf", "tiny_mistral_hf", "tiny_gemma2_hf", "tiny_gemma3_hf",
                             "tiny_gpt2_hf", "tiny_gemma3_vl_hf"}) {
        SECTION(file) {
            test::TempDir dir;
            const std::shared_ptr<const Model> model = Model::load(std::string(AVSS_TEST_DATA_DIR) + "/" + file, LoadOptions{Device::Cpu});
            TrainOptions o;
            o.layers = {1};
            o.learningRate = 1e-2;
            ContrastiveTrainer trainer(model, tinyPairs(dir / "p.jsonl"), o);
            train(trainer, 1);
            const auto tuned = trainer.tunedModel();
            const bool folder = model->info().format == "safetensors";
            const auto out = dir / (folder ? "tuned" : "tuned.gguf");
            const auto r = exportTunedModel(*model, *tuned, o.layers, out);  // throws unless it reloads to the tuned logits
            CHECK(r.selfChecked);
            CHECK(r.maxLogitDiff < 1e-4 * std::max(1.0, r.maxLogit));
            CHECK(std::filesystem::is_directory(out) == folder);
            if (folder) {
                CHECK(std::filesystem::exists(out / "avss_tuned.json"));
                CHECK(std::filesystem::exists(out / "tokenizer.json"));
                CHECK(Model::load(out)->info().hparams.layers == model->info().hparams.layers);
            }
        }
    }
}

TEST_CASE("The KL divergence to the original is zero for the original and positive after training", "[hallu][train]") {
    Fixture f;
    TrainOptions o;
    o.layers = {1};
    o.learningRate = 1e-2;
    ContrastiveTrainer trainer(f.model, tinyPairs(f.dir / "p.jsonl"), o);
    train(trainer, 2);
    const auto text = loadCorpus("builtin");
    const auto same = klDivergence(*f.model, *f.model, text, 64, 256);
    CHECK(same.tokens == 256);  // 4 windows of 64 (no BOS in the tiny vocabulary)
    CHECK(same.meanKl == Approx(0.0).margin(1e-12));
    const auto moved = klDivergence(*f.model, *trainer.tunedModel(), text, 64, 256);
    CHECK(moved.meanKl > 1e-6);
    CHECK(moved.maxKl >= moved.meanKl);
    CHECK_THROWS_AS(klDivergence(*f.model, *f.model, text, 1, 256), UsageError);
}
