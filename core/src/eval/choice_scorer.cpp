// The log-likelihood engine behind multiple-choice and ranking tasks (choice_scorer.h).
#include "eval/choice_scorer.h"

#include <torch/torch.h>

#include <algorithm>

#include "avss/error.h"
#include "model/token_log_probs.h"
#include "model/transformer.h"

namespace avss::eval {
namespace {

const auto kI64 = torch::TensorOptions().dtype(torch::kInt64);

struct Prepared {
    std::vector<TokenId> context;  // truncated, never empty
    std::size_t longest = 0;
};

std::size_t commonPrefix(const std::vector<TokenId>& a, const std::vector<TokenId>& b, std::size_t limit) {
    std::size_t n = 0;
    while (n < limit && n < a.size() && n < b.size() && a[n] == b[n]) ++n;
    return n;
}

// Keeps the first `length` cached positions of a batch-1 cache (the rest is overwritten later).
void truncateCache(model::KvCache& cache, std::int64_t length) {
    cache.length = length;
    cache.keyMask = cache.keyMask.narrow(1, 0, length);
    cache.nextPosition = torch::full({1}, length, cache.nextPosition.options());
}

}  // namespace

ChoiceScorer::ChoiceScorer(const Model::Impl& model, std::vector<bool> skip, std::int64_t copyBudgetBytes)
    : m_model(model), m_skip(std::move(skip)), m_copyBudget(copyBudgetBytes) {}

model::KvCache ChoiceScorer::prefixRows(const std::vector<TokenId>& prefix, std::int64_t rows, std::int64_t reserve) {
    if (prefix.empty()) {
        m_prefix = model::KvCache{};
        m_prefixTokens.clear();
        model::KvCache fresh;
        fresh.reserve = reserve;
        return fresh;
    }
    const auto shared = m_prefix.empty() ? 0 : commonPrefix(m_prefixTokens, prefix, prefix.size());
    if (shared == 0) m_prefix = model::KvCache{};
    else truncateCache(m_prefix, static_cast<std::int64_t>(shared));
    if (shared < prefix.size()) {
        m_prefix.reserve = reserve;
        model::ForwardOptions fo;
        fo.skip = &m_skip;
        fo.cache = &m_prefix;
        fo.logits = model::Logits::None;
        auto input = torch::empty({1, static_cast<std::int64_t>(prefix.size() - shared)}, kI64);
        std::copy(prefix.begin() + static_cast<std::ptrdiff_t>(shared), prefix.end(), input.data_ptr<std::int64_t>());
        input = input.to(m_model.device);
        model::forward(m_model, input, torch::ones_like(input, torch::kBool), fo);
    }
    m_prefixTokens = prefix;
    m_computed += static_cast<std::int64_t>(prefix.size() - shared);
    model::KvCache copies = m_prefix;
    copies.keepRows(torch::zeros({rows}, kI64.device(m_model.device)));
    return copies;
}

std::vector<std::vector<double>> ChoiceScorer::score(const std::vector<LoglikelihoodRequest>& requests) {
    const auto maxLength = static_cast<std::size_t>(m_model.hp.contextLength);
    const auto& tok = *m_model.tokenizer;
    std::vector<Prepared> prep(requests.size());
    std::size_t total = 0;  // the longest context + continuation: room every cache needs
    for (std::size_t r = 0; r < requests.size(); ++r) {
        auto& p = prep[r];
        for (const auto& c : requests[r].continuations) p.longest = std::max(p.longest, c.size());
        if (p.longest > maxLength) {
            throw UsageError({}, "a continuation of " + std::to_string(p.longest) +
                                     " tokens does not fit the model's context of " + std::to_string(maxLength) + " tokens");
        }
        p.context = requests[r].context;
        if (p.context.empty()) p.context.push_back(tok.bosId() >= 0 ? tok.bosId() : tok.eosId());
        const auto keep = maxLength + 1 - p.longest;  // lm-eval: (context + continuation)[-(max + 1):][:-1]
        if (p.context.size() > keep) p.context.erase(p.context.begin(), p.context.end() - static_cast<std::ptrdiff_t>(keep));
        total = std::max(total, p.context.size() + p.longest);
    }
    std::vector<std::vector<double>> out(requests.size());
    if (requests.empty()) return out;

    // 1. The common prefix once; every context keeps at least one token of its own (its last
    //    position predicts the continuation's first token).
    std::size_t shared = prep[0].context.size() - 1;
    for (const auto& p : prep) shared = std::min(shared, commonPrefix(prep[0].context, p.context, p.context.size() - 1));
    const std::vector<TokenId> prefix(prep[0].context.begin(), prep[0].context.begin() + static_cast<std::ptrdiff_t>(shared));
    const auto B = static_cast<std::int64_t>(prep.size());
    torch::InferenceMode inference;
    auto rowsCache = prefixRows(prefix, B, static_cast<std::int64_t>(total));

    // 2. The rest of every context as one right-padded batch (a position never attends to later
    //    ones, so pads change nothing before them); afterwards the pads are masked in the cache.
    std::int64_t width = 0;
    for (const auto& p : prep) width = std::max(width, static_cast<std::int64_t>(p.context.size() - shared));
    auto input = torch::zeros({B, width}, kI64);
    auto acc = input.accessor<std::int64_t, 2>();
    std::vector<std::int64_t> last(prep.size()), length(prep.size());
    for (std::int64_t r = 0; r < B; ++r) {
        const auto& c = prep[static_cast<std::size_t>(r)].context;
        for (std::size_t t = shared; t < c.size(); ++t) acc[r][static_cast<std::int64_t>(t - shared)] = c[t];
        length[static_cast<std::size_t>(r)] = static_cast<std::int64_t>(c.size());
        last[static_cast<std::size_t>(r)] = r * width + static_cast<std::int64_t>(c.size() - shared) - 1;
        m_computed += static_cast<std::int64_t>(c.size() - shared);
    }
    model::ForwardOptions fo;
    fo.skip = &m_skip;
    fo.cache = &rowsCache;
    fo.logits = model::Logits::None;
    input = input.to(m_model.device);
    const auto hidden = model::forward(m_model, input, torch::ones_like(input, torch::kBool), fo);  // [B, width, H]
    const auto lastRows = hidden.reshape({B * width, -1}).index_select(0, torch::tensor(last, kI64).to(m_model.device));
    const auto lastLogits = model::lmHead(m_model, lastRows).to(torch::kFloat32);  // [B, V]
    const auto lengths = torch::tensor(length, kI64).to(m_model.device);
    rowsCache.keyMask = torch::arange(rowsCache.length, kI64.device(m_model.device)).unsqueeze(0).lt(lengths.unsqueeze(1));
    rowsCache.nextPosition = lengths;

    // 3. Every continuation's first token from step 2; the others continue from a copy of their
    //    context's cache, as few row groups as the copy budget allows.
    struct Row { std::size_t request, choice; };
    std::vector<Row> multi, firsts;
    std::vector<std::int64_t> firstRows, firstTokens;
    for (std::size_t r = 0; r < requests.size(); ++r) {
        const auto& conts = requests[r].continuations;
        out[r].assign(conts.size(), 0.0);
        for (std::size_t c = 0; c < conts.size(); ++c) {
            if (!conts[c].empty()) {
                firsts.push_back({r, c});
                firstRows.push_back(static_cast<std::int64_t>(r));
                firstTokens.push_back(conts[c][0]);
            }
            if (conts[c].size() > 1) multi.push_back({r, c});
        }
    }
    if (!firsts.empty()) {
        const auto rows = lastLogits.index_select(0, torch::tensor(firstRows, kI64).to(m_model.device));  // one row per choice
        const auto lp = model::tokenLogProbs(m_model, rows, torch::tensor(firstTokens, kI64)).to(torch::kCPU).contiguous();
        for (std::size_t i = 0; i < firsts.size(); ++i) out[firsts[i].request][firsts[i].choice] = lp.data_ptr<double>()[i];
    }
    const auto& hp = m_model.hp;
    const std::int64_t kept = std::count(m_skip.begin(), m_skip.end(), false);
    const auto bytesPerRow = std::max<std::int64_t>(1, 2 * kept * hp.kvRows() * 4 * static_cast<std::int64_t>(total));
    const auto group = static_cast<std::size_t>(std::max<std::int64_t>(1, m_copyBudget / bytesPerRow));
    for (std::size_t g0 = 0; g0 < multi.size(); g0 += group) {
        const auto g1 = std::min(multi.size(), g0 + group);
        const auto R = static_cast<std::int64_t>(g1 - g0);
        std::int64_t w = 0;
        for (auto i = g0; i < g1; ++i) w = std::max(w, static_cast<std::int64_t>(requests[multi[i].request].continuations[multi[i].choice].size()) - 1);
        auto ids = torch::zeros({R, w}, kI64);
        auto a = ids.accessor<std::int64_t, 2>();
        std::vector<std::int64_t> source, positions, targets;
        for (auto i = g0; i < g1; ++i) {
            const auto row = static_cast<std::int64_t>(i - g0);
            const auto& c = requests[multi[i].request].continuations[multi[i].choice];
            source.push_back(static_cast<std::int64_t>(multi[i].request));
            for (std::size_t j = 0; j + 1 < c.size(); ++j) {
                a[row][static_cast<std::int64_t>(j)] = c[j];
                positions.push_back(row * w + static_cast<std::int64_t>(j));
                targets.push_back(c[j + 1]);
            }
        }
        auto copies = rowsCache;
        copies.keepRows(torch::tensor(source, kI64).to(m_model.device));
        model::ForwardOptions co = fo;
        co.cache = &copies;
        ids = ids.to(m_model.device);
        const auto h = model::forward(m_model, ids, torch::ones_like(ids, torch::kBool), co);  // [R, w, H]
        m_computed += static_cast<std::int64_t>(positions.size());
        // One LM-head product for every needed position: its weight is packed once, not per row.
        const auto picked = h.reshape({R * w, -1}).index_select(0, torch::tensor(positions, kI64).to(m_model.device));
        const auto logits = model::lmHead(m_model, picked).to(torch::kFloat32);
        const auto tokenLp = model::tokenLogProbs(m_model, logits, torch::tensor(targets, kI64)).to(torch::kCPU).contiguous();
        const double* lp = tokenLp.data_ptr<double>();
        std::size_t k = 0;
        for (auto i = g0; i < g1; ++i) {
            const auto n = requests[multi[i].request].continuations[multi[i].choice].size() - 1;
            for (std::size_t j = 0; j < n; ++j) out[multi[i].request][multi[i].choice] += lp[k++];
        }
    }
    return out;
}

}  // namespace avss::eval
