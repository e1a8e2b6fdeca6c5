// Batched generation (generateBatch) on the tiny reference model: a left-padded batch gives the
// same tokens as one prompt at a time, rows finish on their own (EOS, stop strings, length) without
// disturbing the others, sampling does not depend on how prompts are batched, and the errors.
#include "support/torch_catch.h"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <iterator>
#include <map>
#include <set>

#include "avss/error.h"
#include "avss/generate.h"
#include "avss/model.h"
#include "model/model_impl.h"
#include "model/transformer.h"

using namespace avss;

namespace {

std::shared_ptr<const Model> tinyModel() {  // fp32 weights (the reference storage), CPU
    static const auto m = Model::load(std::string(AVSS_TEST_DATA_DIR) + "/tiny_llama.gguf", LoadOptions{Device::Cpu});
    return m;
}

// Prompts of 1 to 40 tokens, deterministic, from the whole vocabulary except the specials (0-2).
std::vector<std::vector<TokenId>> candidatePrompts(std::size_t count) {
    std::vector<std::vector<TokenId>> out;
    std::uint32_t state = 12345;
    const std::size_t lengths[] = {1, 2, 3, 5, 8, 13, 21, 34, 40, 4, 7, 11, 17, 26, 6, 9};
    for (std::size_t i = 0; i < count; ++i) {
        std::vector<TokenId> p;
        for (std::size_t k = 0; k < lengths[i % std::size(lengths)]; ++k) {
            state = state * 1664525u + 1013904223u;
            p.push_back(static_cast<TokenId>(3 + (state >> 8) % 297));
        }
        out.push_back(p);
    }
    return out;
}

// Smallest gap between the top two logits over the steps that chose `generated` after `prompt`,
// from one full forward (no cache, no padding). A gap of fp32 rounding size could let another
// summation order (batch vs single) pick another token, so such prompts are not compared.
double minTopMargin(const Model& m, const std::vector<TokenId>& prompt, const std::vector<TokenId>& generated) {
    torch::InferenceMode guard;
    std::vector<std::int64_t> seq(prompt.begin(), prompt.end());
    seq.insert(seq.end(), generated.begin(), generated.end());
    const auto ids = torch::tensor(seq, torch::kInt64).unsqueeze(0);
    const auto logits = model::forward(modelImpl(m), ids, torch::ones_like(ids, torch::kBool))[0];  // [L, V]
    const auto P = static_cast<std::int64_t>(prompt.size());
    const auto steps = logits.narrow(0, P - 1, static_cast<std::int64_t>(generated.size()));
    const auto top2 = std::get<0>(steps.topk(2, -1));
    return (top2.select(1, 0) - top2.select(1, 1)).min().item<double>();
}

constexpr double kMinMargin = 1e-3;  // logits here are O(1-10); fp32 order effects are ~1e-6

// Prompts (of several lengths) whose single-prompt greedy run never has a near-tie.
std::vector<std::vector<TokenId>> clearPrompts(const GenerateOptions& o, std::size_t candidates = 16, const Model* m = nullptr) {
    const Model& model = m != nullptr ? *m : *tinyModel();
    std::vector<std::vector<TokenId>> keep;
    for (const auto& p : candidatePrompts(candidates)) {
        if (minTopMargin(model, p, generate(model, p, o).tokens) >= kMinMargin) keep.push_back(p);
    }
    return keep;
}

// Greedy tokens by full forwards (no cache): the reference a KV-cached run must equal.
std::vector<TokenId> uncachedGreedy(const Model& m, std::vector<TokenId> seq, int steps) {
    torch::InferenceMode guard;
    std::vector<TokenId> out;
    for (int i = 0; i < steps; ++i) {
        const auto ids = torch::tensor(std::vector<std::int64_t>(seq.begin(), seq.end()), torch::kInt64).unsqueeze(0);
        const auto next = static_cast<TokenId>(model::forward(modelImpl(m), ids, torch::ones_like(ids, torch::kBool))[0][-1].argmax().item<std::int64_t>());
        out.push_back(next);
        seq.push_back(next);
    }
    return out;
}

std::string decoded(const std::vector<TokenId>& ids, std::size_t n) {
    return tinyModel()->tokenizer().decode(std::vector<TokenId>(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n)), true);
}

}  // namespace

TEST_CASE("batched greedy generation equals one prompt at a time", "[generate][batch]") {
    GenerateOptions o;
    o.maxNewTokens = 16;
    o.stopAtEos = false;
    const auto prompts = clearPrompts(o);
    std::set<std::size_t> lengths;
    for (const auto& p : prompts) lengths.insert(p.size());
    INFO(prompts.size() << " of 16 candidate prompts have top-1 margins ≥ " << kMinMargin);
    REQUIRE(prompts.size() >= 8);  // a model change that makes most runs near-ties fails loudly here
    REQUIRE(lengths.size() >= 6);  // real left padding: many lengths in one batch

    const auto batch = generateBatch(*tinyModel(), prompts, o);
    REQUIRE(batch.size() == prompts.size());
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        INFO("prompt " << i << " (" << prompts[i].size() << " tokens)");
        const auto single = generate(*tinyModel(), prompts[i], o);
        CHECK(batch[i].promptTokens == prompts[i]);
        CHECK(batch[i].tokens == single.tokens);
        CHECK(batch[i].text == single.text);
        CHECK(batch[i].stopReason == StopReason::Length);
        CHECK(batch[i].tokens.size() == 16);
    }
    SECTION("chunks of any size give the same results, in input order") {
        for (int maxBatch : {1, 2, 3}) {
            auto oc = o;
            oc.maxBatch = maxBatch;
            const auto chunked = generateBatch(*tinyModel(), prompts, oc);
            for (std::size_t i = 0; i < prompts.size(); ++i) CHECK(chunked[i].tokens == batch[i].tokens);
        }
    }
}

TEST_CASE("other architectures: greedy generation with the KV cache, and left-padded batches, equal full forwards",
          "[generate][batch][families]") {
    GenerateOptions o;
    o.maxNewTokens = 12;
    o.stopAtEos = false;
    // gemma (GELU-tanh: the generic step), mistral (window 8: prompts of up to 40 tokens run past it), phi3 (fused tensors).
    // The Hugging Face folders of the same models run the same paths.
    // gemma2/gemma3: interleaved sliding (window 8) and global blocks, softcapping, q/k norms; gpt2: learned
    // positions (left padding must not shift them), LayerNorms, biases.
    for (const char* file : {"tiny_qwen2.gguf", "tiny_gemma.gguf", "tiny_mistral.gguf", "tiny_phi3.gguf", "tiny_gemma2.gguf", "tiny_gemma3.gguf",
                             "tiny_gpt2.gguf", "tiny_qwen2_hf", "tiny_gemma_hf", "tiny_mistral_hf", "tiny_phi3_hf", "tiny_gemma2_hf",
                             "tiny_gemma3_hf", "tiny_gpt2_hf"}) {
        SECTION(file) {
            const auto m = Model::load(std::string(AVSS_TEST_DATA_DIR) + "/" + file, LoadOptions{Device::Cpu});
            const auto prompts = clearPrompts(o, 16, m.get());
            REQUIRE(prompts.size() >= 6);
            const auto batch = generateBatch(*m, prompts, o);
            for (std::size_t i = 0; i < prompts.size(); ++i) {
                INFO(file << ", prompt " << i << " (" << prompts[i].size() << " tokens)");
                const auto single = generate(*m, prompts[i], o);
                CHECK(single.tokens == uncachedGreedy(*m, prompts[i], o.maxNewTokens));
                CHECK(batch[i].tokens == single.tokens);
            }
        }
    }
}

TEST_CASE("EOS ends rows on their own, the other rows are unchanged", "[generate][batch][eos]") {
    GenerateOptions o;
    o.maxNewTokens = 24;
    o.stopAtEos = false;
    const auto eos = tinyModel()->tokenizer().eosId();
    // Unconstrained greedy runs of clear prompts: a few (~4 %) produce EOS; mix those with others.
    std::vector<std::vector<TokenId>> prompts;
    std::size_t withEos = 0, without = 0;
    for (const auto& p : clearPrompts(o, 200)) {
        const auto t = generate(*tinyModel(), p, o).tokens;
        const bool hasEos = std::find(t.begin(), t.end(), eos) != t.end();
        if (hasEos ? withEos++ < 6 : without++ < 6) prompts.push_back(p);
    }
    INFO(withEos << " of 200 candidate prompts reach EOS within 24 tokens");
    REQUIRE(withEos >= 2);
    const auto full = generateBatch(*tinyModel(), prompts, o);
    o.stopAtEos = true;
    std::map<std::size_t, std::size_t> calls;
    const auto stopped = generateBatch(*tinyModel(), prompts, o, [&](std::size_t seq, TokenId) { ++calls[seq]; });
    std::set<std::size_t> ends;
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        INFO("prompt " << i);
        const auto& all = full[i].tokens;
        const auto at = std::find(all.begin(), all.end(), eos);
        const std::vector<TokenId> expect(all.begin(), at == all.end() ? all.end() : at + 1);
        CHECK(stopped[i].tokens == expect);
        CHECK(stopped[i].stoppedAtEos == (at != all.end()));
        CHECK(stopped[i].stopReason == (at != all.end() ? StopReason::Eos : StopReason::Length));
        CHECK(calls[i] == expect.size());  // no token reported after a row finished
        ends.insert(expect.size());
    }
    CHECK(ends.size() >= 3);  // rows left the batch at different steps
}

TEST_CASE("stop strings end each row on its own and cut its text", "[generate][batch][stop]") {
    GenerateOptions o;
    o.maxNewTokens = 24;
    o.stopAtEos = false;
    const auto prompts = clearPrompts(o);
    REQUIRE(prompts.size() >= 4);
    const auto free = generateBatch(*tinyModel(), prompts, o);
    auto ascii = [](char c) { return static_cast<unsigned char>(c) < 0x80 && std::isprint(static_cast<unsigned char>(c)); };
    // A stop string the model really produces: two printable ASCII characters from the middle of
    // the first row's unconstrained text, complete before its last two tokens (so row 0 stops early).
    const auto& text0 = free[0].text;
    const auto before = decoded(free[0].tokens, free[0].tokens.size() - 2).size();
    std::string pair;
    for (std::size_t pos = text0.size() / 3; pos + 2 <= before && pair.empty(); ++pos) {
        if (ascii(text0[pos]) && ascii(text0[pos + 1])) pair = text0.substr(pos, 2);
    }
    INFO("stop string '" << pair << "' from '" << text0 << "'");
    REQUIRE_FALSE(pair.empty());
    // And the printable character found in the most rows' texts: many rows stop, at different steps.
    std::map<char, int> rowsWith;
    for (const auto& r : free) {
        for (char c : std::set<char>(r.text.begin(), r.text.end())) rowsWith[c] += ascii(c) ? 1 : 0;
    }
    const auto common = std::max_element(rowsWith.begin(), rowsWith.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
    const std::string never = "\x01\x02\x03 never produced";

    for (const auto& stops : {std::vector<std::string>{never, pair}, std::vector<std::string>{std::string(1, common), pair}}) {
        auto os = o;
        os.stopStrings = stops;
        std::map<std::size_t, std::size_t> calls;
        const auto cut = generateBatch(*tinyModel(), prompts, os, [&](std::size_t seq, TokenId) { ++calls[seq]; });
        auto firstStop = [&](const std::string& text) {
            auto at = std::string::npos;
            for (const auto& st : stops) at = std::min(at, text.find(st));
            return at;
        };
        std::size_t early = 0;
        std::set<std::size_t> ends;
        for (std::size_t i = 0; i < prompts.size(); ++i) {
            INFO("prompt " << i << ", stop strings '" << stops[0] << "', '" << stops[1] << "'");
            const auto& full = free[i].tokens;
            std::size_t n = 1;  // the first step whose decoded text contains a stop string
            while (n < full.size() && firstStop(decoded(full, n)) == std::string::npos) ++n;
            const auto text = decoded(full, n);
            const auto at = firstStop(text);
            const bool hit = at != std::string::npos;
            CHECK(cut[i].tokens == std::vector<TokenId>(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
            CHECK(cut[i].stoppedAtString == hit);
            CHECK_FALSE(cut[i].stoppedAtEos);
            CHECK(cut[i].stopReason == (hit ? StopReason::StopString : StopReason::Length));
            CHECK(cut[i].text == (hit ? text.substr(0, at) : free[i].text));
            CHECK(firstStop(cut[i].text) == std::string::npos);
            CHECK(calls[i] == n);
            early += hit && n < full.size() ? 1 : 0;
            ends.insert(n);
        }
        CHECK(cut[0].stoppedAtString);
        CHECK(cut[0].tokens.size() + 2 <= free[0].tokens.size());
        if (stops[0] == never) {
            // generate() applies stop strings the same way
            const auto single = generate(*tinyModel(), prompts[0], os);
            CHECK(single.tokens == cut[0].tokens);
            CHECK(single.text == cut[0].text);
            CHECK(single.stoppedAtString);
        } else {
            CHECK(early >= prompts.size() / 2);
            CHECK(ends.size() >= 3);  // rows left the batch at different steps
        }
        std::cout << "stop strings '" << stops[0] << "', '" << stops[1] << "' ended " << early << " of " << prompts.size()
                  << " rows early (" << ends.size() << " different lengths)\n";
    }
}

TEST_CASE("seeded sampling is reproducible and independent of the batch", "[generate][batch][sample]") {
    GenerateOptions o;
    o.maxNewTokens = 12;
    o.stopAtEos = false;
    o.temperature = 0.8;
    o.topP = 0.9;
    o.seed = 7;
    const auto prompts = candidatePrompts(6);
    const auto a = generateBatch(*tinyModel(), prompts, o);
    const auto b = generateBatch(*tinyModel(), prompts, o);
    auto one = o;
    one.maxBatch = 1;
    const auto c = generateBatch(*tinyModel(), prompts, one);
    std::set<std::vector<TokenId>> distinct;
    for (std::size_t i = 0; i < prompts.size(); ++i) {
        INFO("prompt " << i);
        CHECK(a[i].tokens == b[i].tokens);
        CHECK(a[i].tokens == c[i].tokens);
        auto alone = o;
        alone.seed = o.seed + i;  // sequence i samples with seed + i
        CHECK(generate(*tinyModel(), prompts[i], alone).tokens == a[i].tokens);
        distinct.insert(a[i].tokens);
    }
    CHECK(distinct.size() == prompts.size());
    auto other = o;
    other.seed = 8;
    CHECK(generateBatch(*tinyModel(), prompts, other)[0].tokens != a[0].tokens);
}

TEST_CASE("generateBatch: empty input, bad prompts and options, cancellation", "[generate][batch][errors]") {
    GenerateOptions o;
    o.maxNewTokens = 8;
    CHECK(generateBatch(*tinyModel(), {}, o).empty());
    CHECK_THROWS_AS(generateBatch(*tinyModel(), {{5, 6}, {}}, o), UsageError);
    CHECK_THROWS_WITH(generateBatch(*tinyModel(), {{5, 6}, {}}, o), Catch::Matchers::Contains("prompt 1 is empty"));
    CHECK_THROWS_AS(generate(*tinyModel(), {}, o), UsageError);
    const std::vector<TokenId> longPrompt(250, 40);  // context 256
    CHECK_THROWS_WITH(generateBatch(*tinyModel(), {{5}, longPrompt}, o), Catch::Matchers::Contains("prompt 1 (250 tokens)"));
    auto bad = o;
    bad.maxBatch = 0;
    CHECK_THROWS_AS(generateBatch(*tinyModel(), {{5}}, bad), UsageError);
    bad = o;
    bad.stopStrings = {""};
    CHECK_THROWS_AS(generateBatch(*tinyModel(), {{5}}, bad), UsageError);
    auto none = o;
    none.maxNewTokens = 0;
    const auto zero = generateBatch(*tinyModel(), {{5, 6}, {7}}, none);
    REQUIRE(zero.size() == 2);
    CHECK(zero[1].promptTokens == std::vector<TokenId>{7});
    CHECK(zero[1].tokens.empty());
    CHECK(zero[1].stopReason == StopReason::Length);

    CancelToken cancelled;
    cancelled.cancel();
    CHECK_THROWS_AS(generateBatch(*tinyModel(), {{5, 6}, {7}}, o, {}, &cancelled), Cancelled);
    CancelToken midway;  // cancelled from the token callback after a few steps
    int seen = 0;
    auto cancelAfter = [&](std::size_t, TokenId) {
        if (++seen == 5) midway.cancel();
    };
    o.stopAtEos = false;
    CHECK_THROWS_AS(generateBatch(*tinyModel(), {{5, 6}, {7}}, o, cancelAfter, &midway), Cancelled);
    CHECK(seen < 2 * 8);
}
