// The chosen tokens' log-probabilities: the kernel against a double-precision log-softmax, its
// refusals and NaN rows, and the model-level entry (kernel path and libtorch path) on a tiny model.
#include "support/torch_catch.h"

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "avss/error.h"
#include "avss/model.h"
#include "kernels/token_log_probs.h"
#include "model/model_impl.h"
#include "model/token_log_probs.h"
#include "model/transformer.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

using namespace avss;

namespace {

double referenceLogProb(const float* x, std::int64_t n, std::int64_t target) {
    double m = -std::numeric_limits<double>::infinity(), sum = 0.0;
    for (std::int64_t i = 0; i < n; ++i) m = std::max(m, static_cast<double>(x[i]));
    for (std::int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[i]) - m);
    return static_cast<double>(x[target]) - m - std::log(sum);
}

}  // namespace

TEST_CASE("token log-probabilities: vector rows, chunk edges and tails against double precision", "[kernels][logprob]") {
    std::mt19937_64 rng(7);
    // 1 and 7: scalar tails only; 33: one vector pair and a tail; 4099: two fp32 chunks and a tail.
    for (const std::int64_t vocab : {1, 7, 33, 4099}) {
        const std::int64_t rows = 5;
        std::normal_distribution<float> d(0.0f, 6.0f);
        std::vector<float> logits(static_cast<std::size_t>(rows * vocab));
        for (auto& x : logits) x = d(rng);
        if (vocab > 3) logits[2] = 95.0f, logits[static_cast<std::size_t>(vocab)] = -95.0f;  // past exp's clamps once shifted
        std::vector<std::int64_t> targets(static_cast<std::size_t>(rows));
        for (std::int64_t r = 0; r < rows; ++r) targets[static_cast<std::size_t>(r)] = (r * 977 + 3) % vocab;
        for (const auto isa : {kernels::LogProbIsa::Best, kernels::LogProbIsa::Avx2, kernels::LogProbIsa::Portable}) {
            std::vector<double> split(static_cast<std::size_t>(rows), 1.0), serial = split;
            kernels::tokenLogProbs(logits.data(), rows, vocab, targets.data(), split.data(), true, isa);
            kernels::tokenLogProbs(logits.data(), rows, vocab, targets.data(), serial.data(), false, isa);
            CHECK(split == serial);  // one row, one thread: the split cannot change a result
            for (std::int64_t r = 0; r < rows; ++r) {
                INFO("vocab " << vocab << ", row " << r << ", isa " << static_cast<int>(isa));
                const double want = referenceLogProb(logits.data() + r * vocab, vocab, targets[static_cast<std::size_t>(r)]);
                REQUIRE(std::fabs(split[static_cast<std::size_t>(r)] - want) <= 2e-6 * (1.0 + std::fabs(want)));
                if (vocab == 1) REQUIRE(split[static_cast<std::size_t>(r)] == 0.0);
            }
        }
    }
}

TEST_CASE("token log-probabilities: a NaN or infinite logit gives NaN for its row only; bad targets are refused", "[kernels][logprob][errors]") {
    const std::int64_t rows = 3, vocab = 40;
    std::vector<float> logits(static_cast<std::size_t>(rows * vocab), 0.5f);
    logits[5] = std::numeric_limits<float>::quiet_NaN();                   // row 0, vector part
    logits[vocab + 39] = std::numeric_limits<float>::infinity();          // row 1, scalar tail
    std::vector<std::int64_t> targets{0, 1, 2};
    std::vector<double> out(static_cast<std::size_t>(rows));
    for (const auto isa : {kernels::LogProbIsa::Best, kernels::LogProbIsa::Avx2, kernels::LogProbIsa::Portable}) {
        INFO("isa " << static_cast<int>(isa));
        kernels::tokenLogProbs(logits.data(), rows, vocab, targets.data(), out.data(), true, isa);
        CHECK(std::isnan(out[0]));
        CHECK(std::isnan(out[1]));
        CHECK(out[2] == Approx(-std::log(40.0)).epsilon(1e-7));
    }
    for (const std::int64_t bad : {-1L, 40L}) {
        targets[1] = bad;
        CHECK_THROWS_AS(kernels::tokenLogProbs(logits.data(), rows, vocab, targets.data(), out.data()), std::out_of_range);
    }
}

TEST_CASE("model token log-probabilities: the kernel path and libtorch's path agree with a float64 log-softmax", "[kernels][logprob][model]") {
    test::TempDir dir;
    const auto model = Model::load(test::writeTinyModel(dir.path()), LoadOptions{Device::Cpu});
    const auto& m = modelImpl(*model);
    torch::manual_seed(3);
    const auto logits = torch::randn({2, 6, m.hp.vocab}) * 4.0;
    const auto targets = torch::randint(0, m.hp.vocab, {2, 6});
    const auto want = torch::log_softmax(logits.to(torch::kFloat64), -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1);
    const auto kernel = model::tokenLogProbs(m, logits, targets);
    CHECK(kernel.scalar_type() == torch::kFloat64);
    CHECK(kernel.sizes() == targets.sizes());
    CHECK((kernel - want).abs().max().item<double>() < 1e-5);
    const auto general = model::tokenLogProbs(m, logits.to(torch::kFloat64), targets);  // another dtype: libtorch's path
    CHECK((general - want).abs().max().item<double>() < 1e-5);
    CHECK_THROWS_AS(model::tokenLogProbs(m, logits, targets.narrow(1, 0, 5)), UsageError);
    CHECK_THROWS_AS(model::tokenLogProbs(m, logits, targets + m.hp.vocab), UsageError);
    CHECK_THROWS_AS(model::tokenLogProbs(m, logits.to(torch::kFloat64), targets - m.hp.vocab), UsageError);
}
