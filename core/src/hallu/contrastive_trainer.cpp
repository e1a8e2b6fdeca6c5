// ContrastiveTrainer (see avss/contrastive_trainer.h): a working copy of the model whose chosen
// layers own trainable tensors, the preference + LM loss on teacher-forced answer pairs, AdamW.
#include "avss/contrastive_trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <random>
#include <sstream>

#include "avss/error.h"
#include "eval/uniform_draw.h"
#include "util/sha256.h"
#include "hallu/answer_batch.h"
#include "hallu/forced_answers.h"
#include "model/hparams.h"
#include "model/model_impl.h"
#include "model/transformer.h"
#include "util/atomic_file.h"

namespace avss {
namespace {

// A copy that shares every weight tensor with `m`; callers replace the ones they change.
std::unique_ptr<Model::Impl> copyImpl(const Model::Impl& m) {
    auto c = std::make_unique<Model::Impl>();
    c->info = m.info;
    c->tokenizer = std::make_unique<Tokenizer>(m.tokenizer->spec());
    c->arch = m.arch;
    c->weights = m.weights;
    c->device = m.device;
    return c;
}

// Handles of the layer's tensors in a fixed order (the checkpoint's order).
std::vector<at::Tensor> layerTensors(const model::LayerWeights& lw) {
    std::vector<at::Tensor> out;
    for (const auto* p : {&lw.wqkv, &lw.wo, &lw.wGateUp, &lw.wDown}) out.push_back(p->fp32());
    if (lw.bqkv.defined()) out.push_back(lw.bqkv);
    return out;
}

// Gives layer `l` of `m` its own copies of its tensors (trainable ones when `train`).
void ownLayer(Model::Impl& m, int l, bool train) {
    auto& lw = m.weights.layers[static_cast<std::size_t>(l)];
    const auto own = [&](const at::Tensor& t) { return train ? t.detach().clone().requires_grad_(true) : t.detach().clone(); };
    lw.wqkv = model::Projection(own(lw.wqkv.fp32()));
    lw.wo = model::Projection(own(lw.wo.fp32()));
    lw.wGateUp = model::Projection(own(lw.wGateUp.fp32()));
    lw.wDown = model::Projection(own(lw.wDown.fp32()));
    if (lw.bqkv.defined()) lw.bqkv = own(lw.bqkv);
}

// Per-answer mean log-probability of `idx`'s truthful then hallucinated answers, one forward pass.
struct PairLogProbs {
    at::Tensor truthful, hallucinated;  // [b] mean log p per answer token
    at::Tensor truthfulSum;             // Σ log p over the truthful answers' tokens (scalar)
    double truthfulTokens = 0;
};

PairLogProbs pairLogProbs(const Model::Impl& m, const hallu::ForcedPairs& f, const std::vector<std::size_t>& idx, TokenId pad) {
    std::vector<const hallu::ForcedAnswer*> answers;
    for (auto i : idx) answers.push_back(&f.truthful[i]);
    for (auto i : idx) answers.push_back(&f.hallucinated[i]);
    const auto batch = hallu::answerBatch(answers, pad);
    const auto B = batch.tokens.size(0), T = batch.tokens.size(1);
    const auto from = batch.answer.narrow(1, 1, T - 1).nonzero();  // (row, t): position t predicts answer token t + 1
    const auto rows = from.select(1, 0), cols = from.select(1, 1);
    const auto targets = batch.tokens.index({rows, cols + 1}).to(m.device);
    model::ForwardOptions fo;
    fo.logits = model::Logits::None;  // the LM head runs on the answer-predicting positions only
    const auto hidden = model::forward(m, batch.tokens.to(m.device), batch.attend.to(m.device), fo);
    const auto dRows = rows.to(m.device);
    const auto logits = model::lmHead(m, hidden.index({dRows, cols.to(m.device)}));  // [N, V]
    const auto logp = torch::log_softmax(logits, -1).gather(1, targets.unsqueeze(1)).squeeze(1);  // [N]
    const auto opts = logp.options();
    const auto sums = torch::zeros({B}, opts).index_add(0, dRows, logp);
    const auto counts = torch::zeros({B}, opts.requires_grad(false)).index_add(0, dRows, torch::ones_like(logp).detach());
    const auto b = static_cast<std::int64_t>(idx.size());
    const auto mean = sums / counts.clamp_min(1);
    return {mean.narrow(0, 0, b), mean.narrow(0, b, b), sums.narrow(0, 0, b).sum(), counts.narrow(0, 0, b).sum().item<double>()};
}

void checkOptions(const TrainOptions& o, int layers) {
    if (o.layers.empty()) throw UsageError({}, "no layers to train");
    model::checkLayerNumbers(o.layers, layers);
    if (o.pairsPerStep < 1) throw UsageError({}, "pairs per step must be at least 1");
    if (!(o.learningRate > 0) || !(o.weightDecay >= 0) || !(o.clipNorm >= 0) || !(o.beta > 0)) {
        throw UsageError({}, "the learning rate and beta must be positive, the weight decay and clipping norm not negative");
    }
    if (!(o.contrastiveWeight >= 0) || !(o.lmWeight >= 0) || o.contrastiveWeight + o.lmWeight <= 0) {
        throw UsageError({}, "the loss weights must not be negative, and one of them must be positive");
    }
}

std::string optionsFingerprint(const ModelInfo& model, const PairSet& pairs, const TrainOptions& o) {
    std::ostringstream s;
    s.precision(17);
    s << model.fingerprint << '|' << pairs.fingerprint << "|layers";
    for (int l : o.layers) s << ',' << l;
    s << '|' << o.pairsPerStep << '|' << o.learningRate << '|' << o.weightDecay << '|' << o.clipNorm << '|' << o.beta << '|'
      << o.contrastiveWeight << '|' << o.lmWeight << '|' << o.lengthMatch << '|' << o.seed;
    return s.str();
}

}  // namespace

struct ContrastiveTrainer::Impl {
    std::shared_ptr<const Model> base;
    PairSet train;
    TrainOptions options;
    hallu::ForcedPairs forced;
    TokenId pad = 0;
    std::unique_ptr<Model::Impl> work;  // the trained layers own trainable tensors; the rest is shared
    std::vector<at::Tensor> params;
    std::unique_ptr<torch::optim::AdamW> optimiser;
    int step = 0;
    std::string fingerprint;
    std::uint64_t permEpoch = ~std::uint64_t{0};
    std::vector<std::size_t> perm;

    // The pairs of 0-based step `s`: consecutive slices of one seeded permutation per epoch, so
    // the order depends on the seed and the step only (a resumed run sees the same pairs).
    std::vector<std::size_t> pairsOf(int s) {
        const auto P = forced.truthful.size();
        std::vector<std::size_t> out;
        for (int i = 0; i < options.pairsPerStep; ++i) {
            const auto k = static_cast<std::uint64_t>(s) * static_cast<std::uint64_t>(options.pairsPerStep) + static_cast<std::uint64_t>(i);
            const auto epoch = k / P;
            if (epoch != permEpoch) {
                perm.resize(P);
                for (std::size_t j = 0; j < P; ++j) perm[j] = j;
                std::mt19937_64 g(options.seed * 0x9E3779B97F4A7C15ull + epoch);
                for (std::size_t j = P; j > 1; --j) std::swap(perm[j - 1], perm[eval::uniformBelow(g, j)]);
                permEpoch = epoch;
            }
            out.push_back(perm[k % P]);
        }
        return out;
    }
};

ContrastiveTrainer::ContrastiveTrainer(std::shared_ptr<const Model> model, PairSet train, TrainOptions options)
    : m_impl(std::make_unique<Impl>()) {
    auto& d = *m_impl;
    const auto& m = modelImpl(*model);
    if (m.info.weightStorage != WeightStorage::Fp32) {
        throw UsageError({}, std::string("training needs fp32 weights; this model holds ") + weightStorageName(m.info.weightStorage),
                         "Load the model with fp32 weights.", {Setting::Weights});
    }
    checkOptions(options, m.hp.layers);
    if (train.pairs.empty()) throw UsageError(train.spec.file, "no answer pairs to train on");
    if (train.spec.format == PairFormat::SelfAnswers) {  // its two answers answer different questions: no preference to learn
        throw UsageError(train.spec.file, "qa-self pairs are for the analysis only", "Train on TruthfulQA, HaluEval or pairs files.");
    }
    std::sort(options.layers.begin(), options.layers.end());
    options.layers.erase(std::unique(options.layers.begin(), options.layers.end()), options.layers.end());
    d.forced = hallu::forceAnswers(*m.tokenizer, train.pairs, options.lengthMatch, m.hp.contextLength);
    d.pad = hallu::padToken(*m.tokenizer);
    d.fingerprint = optionsFingerprint(m.info, train, options);
    d.work = copyImpl(m);
    for (int l : options.layers) {
        ownLayer(*d.work, l, true);
        for (const auto& t : layerTensors(d.work->weights.layers[static_cast<std::size_t>(l)])) d.params.push_back(t);
    }
    d.optimiser = std::make_unique<torch::optim::AdamW>(
        d.params, torch::optim::AdamWOptions(options.learningRate).weight_decay(options.weightDecay));
    d.base = std::move(model);
    d.train = std::move(train);
    d.options = std::move(options);
}

ContrastiveTrainer::~ContrastiveTrainer() = default;

int ContrastiveTrainer::step() const { return m_impl->step; }
const TrainOptions& ContrastiveTrainer::options() const { return m_impl->options; }

void ContrastiveTrainer::run(int untilStep, const std::function<void(const TrainStep&)>& onStep, const CancelToken* cancel) {
    auto& d = *m_impl;
    const auto& o = d.options;
    torch::AutoGradMode grad(true);
    while (d.step < untilStep) {
        if (cancel != nullptr) cancel->throwIfCancelled();
        const auto start = std::chrono::steady_clock::now();
        const auto idx = d.pairsOf(d.step);
        d.optimiser->zero_grad();
        const auto lp = pairLogProbs(*d.work, d.forced, idx, d.pad);
        const auto margin = lp.truthful - lp.hallucinated;
        const auto contrastive = torch::softplus(-o.beta * margin).mean();
        const auto lm = -lp.truthfulSum / lp.truthfulTokens;
        const auto loss = o.contrastiveWeight * contrastive + o.lmWeight * lm;
        loss.backward();
        const double norm = torch::nn::utils::clip_grad_norm_(d.params, o.clipNorm > 0 ? o.clipNorm : INFINITY);
        d.optimiser->step();
        ++d.step;
        TrainStep s;
        s.step = d.step;
        s.loss = loss.item<double>();
        s.contrastive = contrastive.item<double>();
        s.lm = lm.item<double>();
        s.preference = margin.gt(0).to(torch::kFloat64).mean().item<double>();
        s.gradNorm = norm;
        s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (onStep) onStep(s);
    }
}

void ContrastiveTrainer::saveCheckpoint(const std::filesystem::path& file) const {
    const auto& d = *m_impl;
    torch::serialize::OutputArchive archive;
    archive.write("fingerprint", c10::IValue(d.fingerprint));
    archive.write("step", c10::IValue(static_cast<std::int64_t>(d.step)));
    for (std::size_t i = 0; i < d.params.size(); ++i) archive.write("param." + std::to_string(i), d.params[i].detach());
    torch::serialize::OutputArchive opt;
    d.optimiser->save(opt);
    archive.write("optimiser", opt);
    std::ostringstream bytes;
    archive.save_to(bytes);
    util::writeFileAtomically(file, bytes.str());
}

void ContrastiveTrainer::loadCheckpoint(const std::filesystem::path& file) {
    auto& d = *m_impl;
    if (!std::filesystem::is_regular_file(file)) throw IoError(file, "no such checkpoint file");
    torch::serialize::InputArchive archive;
    c10::IValue fingerprint, step;
    std::vector<at::Tensor> loaded(d.params.size());
    torch::serialize::InputArchive opt;
    try {
        archive.load_from(file.string());
        archive.read("fingerprint", fingerprint);
        archive.read("step", step);
        for (std::size_t i = 0; i < loaded.size(); ++i) archive.read("param." + std::to_string(i), loaded[i]);
        archive.read("optimiser", opt);
    } catch (const c10::Error& e) {
        throw FormatError(file, "not a readable training checkpoint (" + std::string(e.what_without_backtrace()).substr(0, 200) + ")");
    }
    if (!fingerprint.isString() || fingerprint.toStringRef() != d.fingerprint) {
        throw FormatError(file, "this checkpoint belongs to another model, training data, layer set or hyper-parameters",
                          "Resume with the settings it was written with, or start a new run.");
    }
    for (std::size_t i = 0; i < loaded.size(); ++i) {
        if (!loaded[i].sizes().equals(d.params[i].sizes())) throw FormatError(file, "checkpoint tensor " + std::to_string(i) + " has the wrong shape");
    }
    {
        torch::NoGradGuard noGrad;
        for (std::size_t i = 0; i < loaded.size(); ++i) d.params[i].copy_(loaded[i]);
    }
    d.optimiser->load(opt);
    d.step = static_cast<int>(step.toInt());
}

std::shared_ptr<const Model> ContrastiveTrainer::tunedModel() const {
    auto copy = copyImpl(*m_impl->work);
    util::Sha256 digest;  // the tuned weights are another model: caches keyed by fingerprint must not serve the original's
    digest.update(copy->info.fingerprint.data(), copy->info.fingerprint.size());
    for (int l : m_impl->options.layers) {
        ownLayer(*copy, l, false);  // a snapshot without autograd
        for (const auto& t : layerTensors(copy->weights.layers[static_cast<std::size_t>(l)])) {
            const auto host = t.to(torch::kCPU).contiguous();
            digest.update(host.data_ptr(), static_cast<std::size_t>(host.nbytes()));
        }
    }
    copy->info.fingerprint += "+tuned-" + digest.finishHex().substr(0, 16);
    copy->info.name += " (tuned)";
    return wrapModel(std::move(copy));
}

bool isTunedCopy(const ModelInfo& tuned, const ModelInfo& original) {
    const std::string prefix = original.fingerprint + "+tuned-";
    return tuned.fingerprint.size() == prefix.size() + 16 && tuned.fingerprint.compare(0, prefix.size(), prefix) == 0 &&
           tuned.hparams.layers == original.hparams.layers;
}

PairPreference measurePreference(const Model& model, const PairSet& pairs, bool lengthMatch, int batchPairs, const CancelToken* cancel) {
    const auto& m = modelImpl(model);
    if (batchPairs < 1) throw UsageError({}, "pairs per batch must be at least 1");
    const auto forced = hallu::forceAnswers(*m.tokenizer, pairs.pairs, lengthMatch, m.hp.contextLength);
    torch::InferenceMode inference;
    PairPreference out;
    double wins = 0, margin = 0, nll = 0, tokens = 0;
    const auto P = forced.truthful.size();
    const TokenId pad = hallu::padToken(*m.tokenizer);
    for (std::size_t b0 = 0; b0 < P; b0 += static_cast<std::size_t>(batchPairs)) {
        if (cancel != nullptr) cancel->throwIfCancelled();
        std::vector<std::size_t> idx;
        for (auto i = b0; i < std::min(P, b0 + static_cast<std::size_t>(batchPairs)); ++i) idx.push_back(i);
        const auto lp = pairLogProbs(m, forced, idx, pad);
        const auto d = (lp.truthful - lp.hallucinated).to(torch::kFloat64);
        wins += d.gt(0).sum().item<double>();
        margin += d.sum().item<double>();
        nll -= lp.truthfulSum.item<double>();
        tokens += lp.truthfulTokens;
    }
    out.pairs = static_cast<std::int64_t>(P);
    out.accuracy = wins / static_cast<double>(P);
    out.meanMargin = margin / static_cast<double>(P);
    out.truthfulNll = nll / tokens;
    return out;
}

}  // namespace avss
