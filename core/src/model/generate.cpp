// Autoregressive generation on top of forward() with a KV cache: one prompt, or a left-padded batch
// of prompts whose finished rows are dropped from the batch and the cache as they finish.
#include "avss/generate.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>

#include "avss/error.h"
#include "model/model_impl.h"
#include "model/transformer.h"

namespace avss {
namespace {

// Samples from softmax(logits / T) restricted to the smallest set with mass ≥ topP; the RNG runs on
// the CPU so a seed gives the same tokens on every device.
TokenId sample(const at::Tensor& logits, const GenerateOptions& o, std::mt19937_64& rng) {
    const auto probs = torch::softmax(logits.to(torch::kCPU, torch::kFloat64) / o.temperature, -1).contiguous();
    const double* p = probs.data_ptr<double>();
    std::vector<std::int32_t> order(static_cast<std::size_t>(probs.numel()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return p[a] > p[b]; });
    double mass = 0.0;
    std::size_t keep = 0;
    while (keep < order.size() && (keep == 0 || mass < o.topP)) mass += p[order[keep++]];
    std::uniform_real_distribution<double> uniform(0.0, mass);
    double r = uniform(rng), acc = 0.0;
    for (std::size_t i = 0; i < keep; ++i) {
        acc += p[order[i]];
        if (r < acc) return order[i];
    }
    return order[keep - 1];
}

// One live row of a running chunk.
struct Row {
    std::size_t index;        // position in the caller's prompt list
    GenerateResult* result;
    std::mt19937_64 rng;
};

using TokenFn = std::function<void(std::size_t, TokenId)>;

// What one more prefill pass over the weights costs, in prompt-token slots (padding included): on
// the CPU a pass with few tokens reads every weight for little arithmetic, about as long as ~16
// tokens of a large batched prefill take (SmolLM2-135M, 2 cores).
constexpr std::int64_t kPassSlots = 16;

// Splits rows sorted by prompt length into contiguous prefill groups minimising
// Σ (kPassSlots + rows × longest prompt): padding a short prompt to the longest one of a batch
// costs as much as real tokens, so mixed lengths prefill in a few groups. Returns group ends.
std::vector<std::size_t> prefillGroups(const std::vector<std::int64_t>& lengths) {
    const auto n = lengths.size();
    std::vector<std::int64_t> best(n + 1, 0);
    std::vector<std::size_t> from(n + 1, 0);
    for (std::size_t j = 1; j <= n; ++j) {
        best[j] = -1;
        for (std::size_t i = 0; i < j; ++i) {
            const auto cost = best[i] + kPassSlots + static_cast<std::int64_t>(j - i) * lengths[j - 1];
            if (best[j] < 0 || cost < best[j]) best[j] = cost, from[j] = i;
        }
    }
    std::vector<std::size_t> ends;
    for (auto j = n; j > 0; j = from[j]) ends.insert(ends.begin(), j);
    return ends;
}

// Runs the prompts at `order` (indices into prompts sorted by length, at most maxBatch) as one
// batch: prefilled in a few left-padded groups, then decoded together.
void runChunk(const Model& model, const std::vector<std::vector<TokenId>>& prompts, const std::vector<std::size_t>& order,
              const GenerateOptions& o, const std::vector<bool>& skip, std::vector<GenerateResult>& results,
              const TokenFn& onToken, const CancelToken* cancel) {
    const auto& m = modelImpl(model);
    const auto& tok = model.tokenizer();
    std::vector<Row> rows;
    std::vector<std::int64_t> lengths;
    for (const auto i : order) {
        results[i].promptTokens = prompts[i];
        rows.push_back({i, &results[i], std::mt19937_64(o.seed + i)});  // sequence i samples with seed + i
        lengths.push_back(static_cast<std::int64_t>(prompts[i].size()));
    }
    if (o.maxNewTokens == 0) return;
    const std::int64_t width = *std::max_element(lengths.begin(), lengths.end());
    const std::int64_t pad = tok.eosId() >= 0 ? tok.eosId() : 0;  // any valid id: pads are masked
    const auto i64 = torch::TensorOptions().dtype(torch::kInt64);
    model::ForwardOptions fo;
    fo.skip = &skip;
    fo.logits = model::Logits::LastOnly;

    // Prefill: [b, w] left-padded tokens and mask of the rows [first, end) (w = their longest prompt).
    auto prefill = [&](std::size_t first, std::size_t end, model::KvCache& cache) {
        const auto b = static_cast<std::int64_t>(end - first), w = lengths[end - 1];
        std::vector<std::int64_t> ids(static_cast<std::size_t>(b * w), pad);
        std::vector<std::uint8_t> real(static_cast<std::size_t>(b * w), 0);
        for (std::size_t r = first; r < end; ++r) {
            const auto& p = prompts[order[r]];
            const auto offset = static_cast<std::ptrdiff_t>(static_cast<std::int64_t>(r - first + 1) * w) - static_cast<std::ptrdiff_t>(p.size());
            std::copy(p.begin(), p.end(), ids.begin() + offset);
            std::fill_n(real.begin() + offset, p.size(), std::uint8_t{1});
        }
        const auto tokens = torch::from_blob(ids.data(), {b, w}, i64).to(m.device, /*non_blocking=*/false, /*copy=*/true);
        const auto mask = torch::from_blob(real.data(), {b, w}, torch::TensorOptions().dtype(torch::kUInt8)).to(m.device, torch::kBool);
        if (cancel) cancel->throwIfCancelled();
        fo.cache = &cache;
        return model::forward(m, tokens, mask, fo);  // [b, V]
    };
    model::KvCache cache;
    cache.reserve = width + o.maxNewTokens;  // one allocation per layer (again after dropping rows)
    at::Tensor logits;
    const auto groups = prefillGroups(lengths);
    if (groups.size() == 1) {
        logits = prefill(0, rows.size(), cache);
    } else {
        std::vector<model::KvCache> parts(groups.size());
        std::vector<at::Tensor> partLogits;
        for (std::size_t g = 0, first = 0; g < groups.size(); first = groups[g++]) {
            parts[g].reserve = lengths[groups[g] - 1];
            partLogits.push_back(prefill(first, groups[g], parts[g]));
        }
        logits = torch::cat(partLogits);
        cache = model::KvCache::concatRows(parts, width, width + o.maxNewTokens, m.hp.layers);
    }
    fo.cache = &cache;

    const bool stopStrings = !o.stopStrings.empty();
    std::vector<TokenId> next;
    for (int step = 1;; ++step) {  // logits: [live, V] for the rows' next token
        next.assign(rows.size(), 0);
        if (o.temperature == 0.0) {
            const auto best = logits.argmax(1).to(torch::kCPU).contiguous();
            const auto* p = best.data_ptr<std::int64_t>();
            for (std::size_t r = 0; r < rows.size(); ++r) next[r] = static_cast<TokenId>(p[r]);
        } else {
            for (std::size_t r = 0; r < rows.size(); ++r) next[r] = sample(logits[static_cast<std::int64_t>(r)], o, rows[r].rng);
        }
        std::vector<std::int64_t> keep, carry;  // rows that go on, and their new tokens
        for (std::size_t r = 0; r < rows.size(); ++r) {
            auto& res = *rows[r].result;
            res.tokens.push_back(next[r]);
            if (onToken) onToken(rows[r].index, next[r]);
            bool done = true;
            if (o.stopAtEos && next[r] == tok.eosId()) {
                res.stopReason = StopReason::Eos;
            } else if (stopStrings && findStopString(tok.decode(res.tokens, /*skipSpecial=*/true), o.stopStrings) != std::string::npos) {
                res.stopReason = StopReason::StopString;
            } else if (step >= o.maxNewTokens) {
                res.stopReason = StopReason::Length;
            } else {
                done = false;
            }
            if (!done) {
                keep.push_back(static_cast<std::int64_t>(r));
                carry.push_back(next[r]);
            }
        }
        if (keep.empty()) return;
        if (keep.size() < rows.size()) {  // drop finished rows from the cache and the batch
            cache.keepRows(torch::tensor(keep, i64).to(m.device));
            std::vector<Row> live;
            live.reserve(keep.size());
            for (auto r : keep) live.push_back(std::move(rows[static_cast<std::size_t>(r)]));
            rows = std::move(live);
        }
        const auto input = torch::tensor(carry, i64).to(m.device).unsqueeze(1);  // [live, 1]
        if (cancel) cancel->throwIfCancelled();
        logits = model::forward(m, input, torch::ones_like(input, torch::kBool), fo);
    }
}

std::vector<GenerateResult> run(const Model& model, const std::vector<std::vector<TokenId>>& prompts, const GenerateOptions& o,
                                const TokenFn& onToken, const CancelToken* cancel, bool single) {
    if (o.maxNewTokens < 0) throw UsageError({}, "max new tokens must be ≥ 0");
    if (o.temperature < 0.0 || !(o.topP > 0.0 && o.topP <= 1.0)) {
        throw UsageError({}, "temperature must be ≥ 0 and top-p in (0, 1]");
    }
    if (o.maxBatch < 1) throw UsageError({}, "the batch size must be ≥ 1", {}, {Setting::BatchSize});
    for (const auto& s : o.stopStrings) {
        if (s.empty()) throw UsageError({}, "a stop string is empty (it would stop before the first token)");
    }
    const auto& m = modelImpl(model);
    const auto limit = static_cast<std::size_t>(m.hp.contextLength);
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        const std::string name = single ? "prompt" : "prompt " + std::to_string(i);
        if (prompts[i].empty()) throw UsageError({}, (single ? "the " : "") + name + " is empty (no tokens to condition on)");
        if (prompts[i].size() + static_cast<std::size_t>(o.maxNewTokens) > limit) {
            throw UsageError({}, name + " (" + std::to_string(prompts[i].size()) + " tokens) plus " + std::to_string(o.maxNewTokens) +
                                     " new tokens exceeds the model's context length " + std::to_string(limit));
        }
    }
    std::vector<GenerateResult> results(prompts.size());
    if (prompts.empty()) return results;
    const auto start = std::chrono::steady_clock::now();
    torch::InferenceMode inference;
    const auto skip = model::skipMask(m.hp.layers, o.skipLayers);
    std::vector<std::size_t> order(prompts.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return prompts[a].size() < prompts[b].size(); });
    const auto chunk = static_cast<std::size_t>(o.maxBatch);
    for (std::size_t first = 0; first < order.size(); first += chunk) {
        const std::vector<std::size_t> part(order.begin() + static_cast<std::ptrdiff_t>(first),
                                            order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), first + chunk)));
        runChunk(model, prompts, part, o, skip, results, onToken, cancel);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (auto& r : results) {
        r.text = model.tokenizer().decode(r.tokens, /*skipSpecial=*/true);
        if (const auto cut = findStopString(r.text, o.stopStrings); cut != std::string::npos) {
            r.text.resize(cut);
            r.stopReason = StopReason::StopString;  // already so: the step that completed it ended the row
        }
        r.stoppedAtEos = r.stopReason == StopReason::Eos;
        r.stoppedAtString = r.stopReason == StopReason::StopString;
        r.seconds = seconds;
    }
    return results;
}

}  // namespace

std::size_t findStopString(const std::string& text, const std::vector<std::string>& stops) {
    auto best = std::string::npos;
    for (const auto& s : stops) best = std::min(best, text.find(s));
    return best;
}

const char* stopReasonName(StopReason r) {
    switch (r) {
        case StopReason::Eos: return "eos";
        case StopReason::StopString: return "stop_string";
        case StopReason::Length: return "length";
    }
    return "length";
}

GenerateResult generate(const Model& model, const std::vector<TokenId>& prompt, const GenerateOptions& options,
                        const std::function<void(TokenId)>& onToken, const CancelToken* cancel) {
    TokenFn each;
    if (onToken) each = [&onToken](std::size_t, TokenId id) { onToken(id); };
    return std::move(run(model, {prompt}, options, each, cancel, /*single=*/true).front());
}

std::vector<GenerateResult> generateBatch(const Model& model, const std::vector<std::vector<TokenId>>& prompts,
                                          const GenerateOptions& options, const std::function<void(std::size_t, TokenId)>& onToken,
                                          const CancelToken* cancel) {
    return run(model, prompts, options, onToken, cancel, /*single=*/false);
}

}  // namespace avss
