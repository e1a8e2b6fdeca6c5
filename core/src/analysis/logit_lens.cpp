// logitLens: one forward pass; an observer turns each block's output (and block 0's input, the
// embeddings) into next-token probabilities with the model's own final norm and LM head.
#include "avss/logit_lens.h"

#include <torch/torch.h>

#include <algorithm>

#include "avss/error.h"
#include "model/model_impl.h"
#include "model/transformer.h"

namespace avss {
namespace {

class LensObserver final : public model::ActivationObserver {
public:
    // firstKept: the first block that runs; its input is the embeddings.
    LensObserver(const Model::Impl& m, const LensOptions& o, LogitLens& out, int firstKept)
        : m_model(m), m_options(o), m_out(out), m_firstKept(firstKept) {}

    bool wants(model::Site site) const override {
        return site.point == StatPoint::BlockOut || (site.point == StatPoint::BlockIn && site.layer == m_firstKept);
    }

    void observe(model::Site site, const at::Tensor& x, const at::Tensor&) override {
        torch::NoGradGuard noGrad;
        const auto probs = torch::softmax(model::lmHead(m_model, model::finalNorm(m_model, x[0])).to(torch::kFloat), -1).cpu();  // [T, V]
        const auto top = probs.topk(m_options.topK, -1);
        const auto values = std::get<0>(top).contiguous(), ids = std::get<1>(top).contiguous();
        auto& row = m_out.rows[static_cast<std::size_t>(site.point == StatPoint::BlockIn ? 0 : site.layer + 1)];
        row.skipped = false;
        const auto t = probs.size(0);
        row.positions.resize(static_cast<std::size_t>(t));
        for (std::int64_t p = 0; p < t; ++p) {
            auto& cell = row.positions[static_cast<std::size_t>(p)];
            for (int k = 0; k < m_options.topK; ++k) {
                cell.top.push_back(static_cast<TokenId>(ids[p][k].item<std::int64_t>()));
                cell.topProb.push_back(values[p][k].item<float>());
            }
            const auto target = m_out.targets[static_cast<std::size_t>(p)];
            if (target < 0) continue;
            cell.targetProb = probs[p][target].item<float>();
            cell.targetRank = (probs[p] > cell.targetProb).sum().item<std::int64_t>();
        }
    }

private:
    const Model::Impl& m_model;
    const LensOptions& m_options;
    LogitLens& m_out;
    int m_firstKept;
};

}  // namespace

LogitLens logitLens(const Model& model, const std::vector<TokenId>& tokens, const LensOptions& options) {
    const auto& m = modelImpl(model);
    const int layers = model.info().hparams.layers;
    const auto vocab = model.tokenizer().vocabSize();
    if (tokens.empty()) throw UsageError({}, "the logit lens needs a prompt of at least one token");
    if (static_cast<int>(tokens.size()) > options.maxTokens) {
        throw UsageError({}, "the prompt has " + std::to_string(tokens.size()) + " tokens; the logit lens takes at most " +
                                 std::to_string(options.maxTokens), "Shorten the prompt.");
    }
    if (options.topK < 1 || options.topK > vocab) throw UsageError({}, "top-k must be between 1 and the vocabulary size");
    LogitLens out;
    out.tokens = tokens;
    if (options.targets.empty()) {
        out.targets.assign(tokens.begin() + 1, tokens.end());
        out.targets.push_back(-1);
    } else if (options.targets.size() != tokens.size()) {
        throw UsageError({}, "the logit lens got " + std::to_string(options.targets.size()) + " targets for " +
                                 std::to_string(tokens.size()) + " prompt tokens");
    } else {
        out.targets = options.targets;
    }
    for (const auto id : tokens) {
        if (id < 0 || id >= vocab) throw UsageError({}, "token id " + std::to_string(id) + " is outside the vocabulary");
    }
    for (const auto id : out.targets) {
        if (id >= vocab) throw UsageError({}, "target id " + std::to_string(id) + " is outside the vocabulary");
    }
    const auto skip = model::skipMask(layers, options.skipLayers);
    out.rows.resize(static_cast<std::size_t>(layers) + 1);
    for (int l = -1; l < layers; ++l) {
        auto& row = out.rows[static_cast<std::size_t>(l + 1)];
        row.layer = l;
        row.skipped = l >= 0 && skip[static_cast<std::size_t>(l)];
    }
    torch::NoGradGuard noGrad;
    std::vector<std::int64_t> ids(tokens.begin(), tokens.end());
    const auto input = torch::tensor(ids, torch::kInt64).view({1, -1}).to(m.device);
    const auto mask = torch::ones({1, input.size(1)}, torch::TensorOptions().dtype(torch::kBool).device(m.device));
    const auto firstKept = std::find(skip.begin(), skip.end(), false);
    if (firstKept == skip.end()) throw UsageError({}, "every block is skipped: the logit lens has no layer to look at");
    LensObserver observer(m, options, out, static_cast<int>(firstKept - skip.begin()));
    model::ForwardOptions fo;
    fo.skip = &skip;
    fo.observer = &observer;
    std::vector<at::Tensor> attention;
    if (options.attention) fo.attention = &attention;
    const auto logits = model::forward(m, input, mask, fo);  // [1, T, V]: the model's own prediction
    if (options.attention) {
        out.heads = model.info().hparams.heads;
        out.attention.resize(static_cast<std::size_t>(layers));
        for (int l = 0; l < layers; ++l) {
            const auto& a = attention[static_cast<std::size_t>(l)];
            if (!a.defined()) continue;  // skipped
            const auto w = a[0].to(torch::kCPU, torch::kFloat32).contiguous();  // [H, T, T]
            out.attention[static_cast<std::size_t>(l)].assign(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
        }
    }
    const auto argmax = logits[0].argmax(-1).cpu();
    for (std::int64_t p = 0; p < argmax.size(0); ++p) out.prediction.push_back(static_cast<TokenId>(argmax[p].item<std::int64_t>()));
    return out;
}

}  // namespace avss
