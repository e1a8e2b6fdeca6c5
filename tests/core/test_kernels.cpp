// Compact (q8) weights and the fused decoding step: kernels against double-precision references,
// the model in q8 against fp32, and the fused step against the generic forward.
#include "support/torch_catch.h"

#include <cmath>
#include <iostream>
#include <random>

#include "avss/error.h"
#include "avss/model.h"
#include "avss/weight_storage.h"
#include "kernels/f32_rows.h"
#include "kernels/q8_matrix.h"
#include "kernels/silu_gate.h"
#include "kernels/row_threads.h"
#include "model/model_impl.h"
#include "model/projection.h"
#include "model/transformer.h"
#include "model/weights.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

using namespace avss;
using kernels::Q8Matrix;

namespace {

std::vector<float> randomMatrix(std::int64_t n, std::uint64_t seed, float scale = 1.0f) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> d(0.0f, scale);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (auto& x : v) x = d(rng);
    return v;
}

double relDiff(const at::Tensor& a, const at::Tensor& b) {
    return (a - b).abs().max().item<double>() / std::max(1e-30, b.abs().max().item<double>());
}

// Logits of two loadings of one model on a fixed random batch (4 × 32, seed 5); prints and returns
// ||Δ|| / ||reference|| over all 128 positions (stable, unlike the max).
double logitRms(const Model& reference, const Model& other, const char* what) {
    torch::NoGradGuard g;
    torch::manual_seed(5);
    const auto ids = torch::randint(3, 250, {4, 32}, torch::kInt64);
    const auto mask = torch::ones_like(ids, torch::kBool);
    const auto a = model::forward(modelImpl(reference), ids, mask);
    const auto b = model::forward(modelImpl(other), ids, mask);
    const double rms = ((b - a).norm() / a.norm()).item<double>();
    std::cout << what << " vs fp32 logits (tiny model): ||Δ|| / ||fp32|| = " << rms << ", max |Δ| / max |fp32| = " << relDiff(b, a) << "\n";
    return rms;
}

}  // namespace

TEST_CASE("q8 quantisation: hand-checked block, error within half a step everywhere", "[kernels][q8]") {
    std::vector<float> w(64, 0.0f);
    w[0] = 1.27f;   // block 0: max 1.27 → scale 0.01
    w[1] = -0.5f;
    w[2] = 0.004f;  // rounds to 0
    w[3] = 0.006f;  // rounds to 1
    // block 1 stays all zero: scale 0, every value 0 (no division by zero)
    const auto q = Q8Matrix::quantize(w.data(), 1, 64);
    CHECK(q.scales()[0] == Approx(0.01f));
    CHECK(q.scales()[1] == 0.0f);
    CHECK(int(q.quants()[0]) == 127);
    CHECK(int(q.quants()[1]) == -50);
    CHECK(int(q.quants()[2]) == 0);
    CHECK(int(q.quants()[3]) == 1);
    std::vector<float> back(64);
    q.dequantizeRows(0, 1, back.data());
    CHECK(back[1] == Approx(-0.5f));
    CHECK(back[40] == 0.0f);

    const std::int64_t rows = 37, cols = 96;
    const auto big = randomMatrix(rows * cols, 7);
    const auto qb = Q8Matrix::quantize(big.data(), rows, cols);
    std::vector<float> deq(static_cast<std::size_t>(rows * cols));
    qb.dequantizeRows(0, rows, deq.data());
    for (std::int64_t i = 0; i < rows * cols; ++i) {
        const float step = qb.scales()[i / Q8Matrix::kBlock];
        REQUIRE(std::fabs(deq[static_cast<std::size_t>(i)] - big[static_cast<std::size_t>(i)]) <= 0.5f * step * 1.0001f);
    }
    std::vector<float> part(static_cast<std::size_t>(5 * cols));
    qb.dequantizeRows(30, 5, part.data());
    CHECK(std::equal(part.begin(), part.end(), deq.begin() + 30 * cols));
}

TEST_CASE("q8 products equal a double-precision reference for 1..9 activation rows, both code paths", "[kernels][q8]") {
    const std::int64_t rows = 45, cols = 160;
    const auto w = randomMatrix(rows * cols, 11);
    const auto q = Q8Matrix::quantize(w.data(), rows, cols);
    std::vector<float> deq(static_cast<std::size_t>(rows * cols));
    q.dequantizeRows(0, rows, deq.data());
    for (std::int64_t m = 1; m <= 9; ++m) {
        const std::int64_t ldx = cols + 3, ldy = rows + 5;  // leading dimensions wider than the data
        const auto x = randomMatrix(m * ldx, 100 + static_cast<std::uint64_t>(m));
        std::vector<float> fast(static_cast<std::size_t>(m * ldy), -1.0f), plain = fast, threaded = fast;
        q.multiplyRows(x.data(), m, ldx, fast.data(), ldy, 0, rows);
        q.multiplyRows(x.data(), m, ldx, plain.data(), ldy, 0, rows, /*portable=*/true);
        q.multiply(x.data(), m, ldx, threaded.data(), ldy);
        for (std::int64_t i = 0; i < m; ++i) {
            for (std::int64_t r = 0; r < rows; ++r) {
                double ref = 0.0, mag = 0.0;
                for (std::int64_t c = 0; c < cols; ++c) {
                    ref += static_cast<double>(deq[static_cast<std::size_t>(r * cols + c)]) * x[static_cast<std::size_t>(i * ldx + c)];
                    mag += std::fabs(static_cast<double>(deq[static_cast<std::size_t>(r * cols + c)]) * x[static_cast<std::size_t>(i * ldx + c)]);
                }
                const auto at = static_cast<std::size_t>(i * ldy + r);
                REQUIRE(std::fabs(fast[at] - ref) <= 1e-5 * mag + 1e-6);
                REQUIRE(std::fabs(plain[at] - ref) <= 1e-5 * mag + 1e-6);
                REQUIRE(threaded[at] == fast[at]);  // the thread split never changes a sum's order
            }
            for (std::int64_t r = rows; r < ldy; ++r) REQUIRE(fast[static_cast<std::size_t>(i * ldy + r)] == -1.0f);  // padding untouched
        }
    }
    CHECK(kernels::kernelThreads() >= 1);
}

TEST_CASE("fp32 row products (dot tiles, packed activations, packed weight panels) equal a double-precision reference for 1..9, 13, 16, "
          "32, 64 and 70 rows, any row or tile split",
          "[kernels][f32]") {
    // 71: two panels of 32 (AVX-512) or four of 16 (AVX2) and a short one; dot tiles of 4 or 2 rows plus leftovers
    const std::int64_t rows = 71, cols = 96;
    if (!kernels::f32RowsAvailable(cols)) {
        WARN("no fp32 row kernel on this CPU: projections use BLAS");
        CHECK_THROWS_AS(kernels::multiplyF32(nullptr, rows, cols, nullptr, 1, cols, nullptr, rows), std::invalid_argument);
        return;
    }
    CHECK_FALSE(kernels::f32RowsAvailable(20));  // not a whole number of vectors
    const std::int64_t ldw = cols + 16;
    const auto w = randomMatrix(rows * ldw, 21);
    for (const auto isa : {kernels::RowsIsa::Best, kernels::RowsIsa::Avx2}) {
        if (!kernels::f32RowsAvailable(cols, isa)) continue;
        for (const std::int64_t m : {1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16, 32, 64, 70}) {
            INFO("isa " << static_cast<int>(isa) << ", " << m << " activation rows");
            const std::int64_t ldx = cols + 8, ldy = rows + 3;
            const auto x = randomMatrix(m * ldx, 200 + static_cast<std::uint64_t>(m));
            std::vector<float> whole(static_cast<std::size_t>(m * ldy), -1.0f), parts = whole;
            kernels::multiplyF32Rows(w.data(), ldw, cols, x.data(), m, ldx, whole.data(), ldy, 0, rows, isa);
            for (std::int64_t r0 = 0; r0 < rows; r0 += 5) {
                kernels::multiplyF32Rows(w.data(), ldw, cols, x.data(), m, ldx, parts.data(), ldy, r0, std::min(rows, r0 + 5), isa);
            }
            for (std::int64_t i = 0; i < m; ++i) {
                for (std::int64_t r = 0; r < rows; ++r) {
                    double ref = 0.0, mag = 0.0;
                    for (std::int64_t c = 0; c < cols; ++c) {
                        const double t = static_cast<double>(w[static_cast<std::size_t>(r * ldw + c)]) * x[static_cast<std::size_t>(i * ldx + c)];
                        ref += t;
                        mag += std::fabs(t);
                    }
                    const auto at = static_cast<std::size_t>(i * ldy + r);
                    REQUIRE(std::fabs(whole[at] - ref) <= 1e-6 * mag + 1e-7);
                    REQUIRE(parts[at] == whole[at]);  // a row's sum does not depend on the split
                }
                for (std::int64_t r = rows; r < ldy; ++r) REQUIRE(whole[static_cast<std::size_t>(i * ldy + r)] == -1.0f);  // padding untouched
            }
            // Nor on the tile a row falls in: the last kPanelMinRows rows alone (from 70 rows: packed
            // activations against packed weight panels, so the two kernels give equal sums too).
            static_assert(kernels::kActivationPanelMaxRows < 70, "70 rows must take the packed weight panels");
            if (m > kernels::kPanelMinRows) {
                const std::int64_t i0 = m - kernels::kPanelMinRows;
                std::vector<float> tail(static_cast<std::size_t>(kernels::kPanelMinRows * ldy), -1.0f);
                kernels::multiplyF32Rows(w.data(), ldw, cols, x.data() + i0 * ldx, kernels::kPanelMinRows, ldx, tail.data(), ldy, 0, rows, isa);
                for (std::int64_t i = 0; i < kernels::kPanelMinRows; ++i) {
                    for (std::int64_t r = 0; r < rows; ++r) {
                        REQUIRE(tail[static_cast<std::size_t>(i * ldy + r)] == whole[static_cast<std::size_t>((i0 + i) * ldy + r)]);
                    }
                }
            }
        }
    }
}

TEST_CASE("fp32 products over the kernel threads equal those of one thread, bit for bit, on either side of the packing switch",
          "[kernels][f32]") {
    const std::int64_t rows = 200, cols = 64;  // 200: several parts per thread and a short last panel
    if (!kernels::f32RowsAvailable(cols)) {
        WARN("no fp32 row kernel on this CPU: projections use BLAS");
        CHECK_THROWS_AS(kernels::multiplyF32(nullptr, rows, cols, nullptr, kernels::kPanelMinRows, cols, nullptr, rows), std::invalid_argument);
        return;
    }
    const auto w = randomMatrix(rows * cols, 31);
    for (const std::int64_t m : {kernels::kPanelMinRows, std::int64_t{17}, kernels::kActivationPanelMaxRows,
                                 kernels::kActivationPanelMaxRows + 1}) {
        INFO(m << " activation rows");
        const std::int64_t ldx = cols + 8, ldy = rows + 5;
        const auto x = randomMatrix(m * ldx, 400 + static_cast<std::uint64_t>(m));
        std::vector<float> threaded(static_cast<std::size_t>(m * ldy), -1.0f), single = threaded;
        kernels::multiplyF32(w.data(), rows, cols, x.data(), m, ldx, threaded.data(), ldy);
        kernels::multiplyF32Rows(w.data(), cols, cols, x.data(), m, ldx, single.data(), ldy, 0, rows);
        REQUIRE(threaded == single);  // padding included: both leave it untouched
    }
}

TEST_CASE("q8 packed panels: widening while packing gives exactly the fp32 products of the dequantised weight", "[kernels][q8][f32]") {
    const std::int64_t rows = 71, cols = 96;  // several panels and a short one, as above
    if (!kernels::f32RowsAvailable(cols)) {
        CHECK_THROWS_AS(kernels::multiplyQ8Rows(nullptr, nullptr, cols, nullptr, 1, cols, nullptr, rows, 0, rows), std::invalid_argument);
        return;
    }
    const auto w = randomMatrix(rows * cols, 23);
    const auto q = Q8Matrix::quantize(w.data(), rows, cols);
    std::vector<float> deq(static_cast<std::size_t>(rows * cols));
    q.dequantizeRows(0, rows, deq.data());
    for (const auto isa : {kernels::RowsIsa::Best, kernels::RowsIsa::Avx2}) {
        if (!kernels::f32RowsAvailable(cols, isa)) continue;
        for (const std::int64_t m : {1, 5, 8, 9, 32}) {
            INFO("isa " << static_cast<int>(isa) << ", " << m << " activation rows");
            const std::int64_t ldx = cols + 8, ldy = rows + 3;
            const auto x = randomMatrix(m * ldx, 300 + static_cast<std::uint64_t>(m));
            std::vector<float> fromQ8(static_cast<std::size_t>(m * ldy), -1.0f), fromF32 = fromQ8;
            kernels::multiplyQ8Rows(q.quants(), q.scales(), cols, x.data(), m, ldx, fromQ8.data(), ldy, 0, rows, isa);
            kernels::multiplyF32Rows(deq.data(), cols, cols, x.data(), m, ldx, fromF32.data(), ldy, 0, rows, isa);
            if (m < 5) {  // below the panels the fp32 kernel takes dot products: another summation order
                for (std::size_t i = 0; i < fromQ8.size(); ++i) REQUIRE(std::fabs(fromQ8[i] - fromF32[i]) <= 1e-4f * (1.0f + std::fabs(fromF32[i])));
            } else {
                REQUIRE(fromQ8 == fromF32);
            }
        }
    }
}

TEST_CASE("silu gate: vector rows, tails and extreme gates against double precision", "[kernels][silu]") {
    const std::int64_t rows = 7, ffn = 45;  // 45: two AVX2 vectors / one AVX-512 vector and a tail
    auto in = randomMatrix(rows * 2 * ffn, 31, 3.0f);
    in[0] = 100.0f, in[1] = -100.0f, in[2] = 88.9f, in[3] = -88.9f, in[4] = 0.0f, in[5] = -1e30f, in[6] = 1e30f;  // exp's clamps
    std::vector<float> out(static_cast<std::size_t>(rows * ffn), -7.0f);
    kernels::siluGate(in.data(), rows, ffn, out.data());
    for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t i = 0; i < ffn; ++i) {
            const double g = in[static_cast<std::size_t>(r * 2 * ffn + i)], u = in[static_cast<std::size_t>(r * 2 * ffn + ffn + i)];
            const double want = g / (1.0 + std::exp(-g)) * u;
            const float got = out[static_cast<std::size_t>(r * ffn + i)];
            INFO("row " << r << ", gate " << g);
            REQUIRE(std::isfinite(got));
            REQUIRE(std::fabs(got - want) <= 4e-7 * std::fabs(want) + 1e-30);
        }
    }
}

TEST_CASE("fp32 projection: rows through the row kernel equal a double-precision product", "[kernels][f32]") {
    torch::manual_seed(4);
    const auto w = torch::randn({70, 64});
    const auto bias = torch::randn({70});
    const model::Projection p(w);
    for (const std::int64_t m : {2, 17, 64, 65, 1100}) {  // 1100: two blocks of activation rows
        const auto x = torch::randn({m, 1, 64});
        const auto want = torch::linear(x.to(torch::kFloat64), w.to(torch::kFloat64), bias.to(torch::kFloat64));
        CHECK(relDiff(p.apply(x, bias).to(torch::kFloat64), want) < 1e-6);
    }
}

TEST_CASE("compact projection: kernel rows and embedding lookup agree with fp32", "[kernels][q8]") {
    torch::NoGradGuard g;
    const auto w = torch::randn({96, 64}) * 0.1;
    const auto compact = model::Projection::compact(w);
    CHECK(compact.isCompact());
    CHECK(compact.outFeatures() == 96);
    CHECK(compact.inFeatures() == 64);
    CHECK(compact.bytes() == 96 * 64 + 96 * 2 * 4);
    // the fp32 weights the compact storage stands for
    auto ref = torch::empty({96, 64});
    {
        const auto q = Q8Matrix::quantize(w.contiguous().data_ptr<float>(), 96, 64);
        q.dequantizeRows(0, 96, ref.data_ptr<float>());
    }
    const model::Projection exact(ref);
    const auto bias = torch::randn({96});
    for (const std::int64_t rows : {1, 3, 64, 65, 300, 1100}) {  // dot tiles, panels, two blocks of activation rows
        const auto x = torch::randn({rows, 1, 64});
        CHECK(relDiff(compact.apply(x), exact.apply(x)) < 1e-5);
        CHECK(relDiff(compact.apply(x, bias), exact.apply(x, bias)) < 1e-5);
        CHECK(compact.apply(x).sizes() == std::vector<std::int64_t>{rows, 1, 96});
    }
    const auto ids = torch::tensor({5, 0, 95, 5}, torch::kInt64).view({2, 2});
    CHECK(torch::equal(compact.rows(ids), exact.rows(ids)));
    CHECK_THROWS_AS(compact.rows(torch::tensor({96}, torch::kInt64)), UsageError);
    CHECK_THROWS_AS(compact.rows(torch::tensor({-1}, torch::kInt64)), UsageError);
    CHECK_THROWS_AS(compact.to(c10::Device(c10::kCUDA, 0)), UsageError);  // refused before touching CUDA
    // one fp32 activation row takes the matrix-vector path: same values as the GEMM
    const auto one = torch::randn({1, 64});
    CHECK(relDiff(exact.apply(one), torch::matmul(one, ref.t())) < 1e-6);
}

TEST_CASE("weight storage names round-trip; bad names name the setting", "[kernels][q8][errors]") {
    CHECK(parseWeightStorage("fp32") == WeightStorage::Fp32);
    CHECK(parseWeightStorage("q8") == WeightStorage::Q8);
    CHECK(parseWeightStorage("bf16") == WeightStorage::Bf16);
    CHECK(std::string(weightStorageName(WeightStorage::Q8)) == "q8");
    CHECK(std::string(weightStorageName(WeightStorage::Bf16)) == "bf16");
    try {
        parseWeightStorage("int4");
        FAIL("no error");
    } catch (const UsageError& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("fp32, q8 or bf16") && Catch::Contains("int4"));
        CHECK((e.settings() == std::vector<Setting>{Setting::Weights}));
    }
}

TEST_CASE("bf16 projection: half the bytes, products of the bf16-rounded operands, fp32 results and rows", "[kernels][bf16]") {
    if (!blas::readCpuFeatures().avx512Usable()) {
        WARN("this CPU has no AVX-512: bf16 products are refused here (next test), so they are not run");
        return;
    }
    torch::NoGradGuard g;
    const auto w = torch::randn({96, 64}) * 0.1;
    const auto p = model::Projection::bf16(w);
    CHECK(!p.isCompact());
    CHECK(p.outFeatures() == 96);
    CHECK(p.inFeatures() == 64);
    CHECK(p.bytes() == 96 * 64 * 2);
    const auto wr = w.to(torch::kBFloat16).to(torch::kFloat32);  // what the storage holds
    const auto bias = torch::randn({96});
    for (const std::int64_t rows : {1, 3, 300}) {
        const auto x = torch::randn({rows, 1, 64});
        const auto ref = torch::nn::functional::linear(x.to(torch::kBFloat16).to(torch::kFloat32), wr);
        const auto y = p.apply(x);
        CHECK(y.scalar_type() == torch::kFloat32);
        CHECK(y.sizes() == std::vector<std::int64_t>{rows, 1, 96});
        CHECK(relDiff(y, ref) < 8e-3);   // only the result's rounding to bf16 (2^-8) remains
        CHECK(relDiff(y, ref) > 0.0);    // and it is really there: not an fp32 product
        CHECK(relDiff(p.apply(x, bias), ref + bias) < 8e-3);
    }
    const auto ids = torch::tensor({5, 0, 95, 5}, torch::kInt64).view({2, 2});
    const auto rows = p.rows(ids);
    CHECK(rows.scalar_type() == torch::kFloat32);
    CHECK(torch::equal(rows, torch::embedding(wr, ids)));
}

TEST_CASE("storage refusals: q8 off the CPU, bf16 on a CPU without AVX-512; each says what to use instead", "[kernels][bf16][errors]") {
    blas::CpuFeatures avx2;
    avx2.avx = avx2.avx2 = avx2.fma = avx2.osSavesYmm = true;
    blas::CpuFeatures avx512 = avx2;
    avx512.avx512f = avx512.avx512bw = avx512.avx512vl = avx512.avx512dq = avx512.osSavesZmm = true;
    const c10::Device cpu(c10::kCPU), cuda(c10::kCUDA, 0);
    const auto bf16Cpu = model::storageRefusal(WeightStorage::Bf16, cpu, avx2);
    CHECK_THAT(bf16Cpu.problem, Catch::Contains("AVX-512") && Catch::Contains("AVX2, FMA"));
    CHECK_THAT(bf16Cpu.remedy, Catch::Contains("fp32"));
    CHECK(model::storageRefusal(WeightStorage::Bf16, cpu, avx512).problem.empty());
    CHECK(model::storageRefusal(WeightStorage::Bf16, cuda, avx2).problem.empty());  // the GPU does its own bf16
    CHECK_THAT(model::storageRefusal(WeightStorage::Q8, cuda, avx512).problem, Catch::Contains("CPU only"));
    CHECK(model::storageRefusal(WeightStorage::Q8, cpu, avx2).problem.empty());
    CHECK(model::storageRefusal(WeightStorage::Fp32, cpu, blas::CpuFeatures{}).problem.empty());
    CHECK(avx512.bf16Summary() == "AVX-512 (bf16 emulated)");
    avx512.amxBf16 = true;
    CHECK(avx512.bf16Summary() == "AMX-BF16");
    CHECK(avx2.bf16Summary() == "none");
}

TEST_CASE("a model with bf16 weights: half the weight memory, logits within 4 per cent (RMS) of fp32", "[kernels][bf16][model]") {
    test::TempDir dir;
    const auto path = test::writeTinyModel(dir.path(), {3, 64, 4, 2, 128});
    LoadOptions lo{Device::Cpu};
    const auto fp32 = Model::load(path, lo);
    lo.weights = WeightStorage::Bf16;
    if (!blas::readCpuFeatures().avx512Usable()) {
        CHECK_THROWS_AS(Model::load(path, lo), UnsupportedError);
        return;
    }
    const auto bf16 = Model::load(path, lo);
    CHECK(bf16->info().weightStorage == WeightStorage::Bf16);
    CHECK(static_cast<double>(fp32->info().weightBytes) / static_cast<double>(bf16->info().weightBytes) == Approx(2.0));
    const double rms = logitRms(*fp32, *bf16, "bf16");
    CHECK(rms < 0.04);  // 0.019 here (AMX): random weights of std 0.2 amplify rounding; the sample model: docs/engine.md
    CHECK(rms > 0.0);
}

TEST_CASE("a model with q8 weights: 3.5x less weight memory, logits within 6 per cent (RMS) of fp32", "[kernels][q8][model]") {
    test::TempDir dir;
    const auto path = test::writeTinyModel(dir.path(), {3, 64, 4, 2, 128});
    LoadOptions lo{Device::Cpu};
    const auto fp32 = Model::load(path, lo);
    lo.weights = WeightStorage::Q8;
    const auto q8 = Model::load(path, lo);
    CHECK(q8->info().weightStorage == WeightStorage::Q8);
    CHECK(fp32->info().weightStorage == WeightStorage::Fp32);
    CHECK(static_cast<double>(fp32->info().weightBytes) / static_cast<double>(q8->info().weightBytes) > 3.5);
    const double rms = logitRms(*fp32, *q8, "q8");
    CHECK(rms < 0.06);  // 0.041 with this seed: random weights of std 0.2 amplify errors; the sample model: docs/engine.md
    CHECK(rms > 0.0);   // really a different storage

    // rows of a width that is not a multiple of 32 cannot be stored as q8: one clear error
    test::TempDir odd;
    const auto oddPath = test::writeTinyModel(odd.path(), {2, 48, 4, 2, 96});
    try {
        Model::load(oddPath, lo);
        FAIL("no error");
    } catch (const UnsupportedError& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains("multiple of 32") && Catch::Contains(oddPath.filename().string()));
    }
}

TEST_CASE("fused decoding step equals the generic forward (padded batch, cache growth, q8 and bf16 too)", "[kernels][decode]") {
    test::TempDir dir;
    const auto path = test::writeTinyModel(dir.path(), {3, 64, 4, 2, 128});
    for (const auto storage : {WeightStorage::Fp32, WeightStorage::Q8, WeightStorage::Bf16}) {
        if (storage == WeightStorage::Bf16 && !blas::readCpuFeatures().avx512Usable()) continue;  // refused there (above)
        LoadOptions lo{Device::Cpu};
        lo.weights = storage;
        const auto model = Model::load(path, lo);
        const auto& m = modelImpl(*model);
        // a left-padded batch of three prompts, then 12 steps; reserve 1 forces the cache to grow
        const auto prompt = torch::tensor({0, 0, 40, 41, 42, 43, 44, 45, 0, 50, 51, 52}, torch::kInt64).view({3, 4});
        const auto pmask = torch::tensor({0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1}, torch::kBool).view({3, 4});
        model::KvCache fusedCache, genericCache;
        fusedCache.reserve = genericCache.reserve = 1;
        model::ForwardOptions fused, generic;
        fused.cache = &fusedCache;
        generic.cache = &genericCache;
        fused.logits = generic.logits = model::Logits::LastOnly;
        at::Tensor lf, lg;
        {
            torch::NoGradGuard off;
            lf = model::forward(m, prompt, pmask, fused);
        }
        lg = model::forward(m, prompt, pmask, generic);  // autograd on: the generic path
        double worst = 0;
        for (int step = 0; step < 12; ++step) {
            const auto next = lg.argmax(-1).unsqueeze(1);
            const auto ones = torch::ones_like(next, torch::kBool);
            {
                torch::NoGradGuard off;
                lf = model::forward(m, next, ones, fused);
            }
            lg = model::forward(m, next, ones, generic);
            worst = std::max(worst, relDiff(lf, lg.detach()));
        }
        // bf16: the generic attention takes bf16 operands, the fused step's stays fp32 (docs/engine.md)
        CHECK(worst < (storage == WeightStorage::Bf16 ? 0.05 : 1e-5));
        CHECK(fusedCache.length == genericCache.length);
        CHECK(fusedCache.keys[0].size(2) >= 16);
        std::cout << "fused vs generic decoding (" << weightStorageName(storage) << "): " << worst << "\n";
    }
}
