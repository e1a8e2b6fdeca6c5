// Brute-force statistics for tests: keep every activation, then compute each quantity straight
// from its definition in double precision (two-pass, no streaming, no shifts). Independent of
// the fused kernel and of the torch reduction it checks.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "avss/activation_stats.h"

namespace avss::test {

struct KeptBatch {
    int B = 0, T = 0, W = 0;
    std::vector<double> x;                // [B, T, W]
    std::vector<std::uint8_t> counted;    // [B, T]: positions whose statistics count
    double at(int b, int t, int w) const { return x[(static_cast<std::size_t>(b) * T + t) * W + w]; }
    bool counts(int b, int t) const { return counted[static_cast<std::size_t>(b) * T + t] != 0; }
};

inline SiteStats bruteForceSite(const std::vector<KeptBatch>& batches, const StatsSettings& s) {
    SiteStats r;
    const int W = batches.front().W;
    r.mean.assign(W, 0.0);
    r.m2.assign(W, 0.0);
    r.nearZeroAbs.assign(s.absThresholds.size(), 0);
    r.nearZeroRel.assign(s.relThresholds.size(), 0);
    for (const auto& k : batches) {
        for (int b = 0; b < k.B; ++b) {
            for (int t = 0; t < k.T; ++t) {
                if (!k.counts(b, t)) continue;
                ++r.tokens;
                for (int w = 0; w < W; ++w) r.mean[w] += k.at(b, t, w);
            }
        }
    }
    for (auto& m : r.mean) m /= static_cast<double>(r.tokens);
    for (const auto& k : batches) {
        std::int64_t batchTokens = 0, batchRef = 0, batchSamples = 0;
        double batchPooled = 0;
        for (int b = 0; b < k.B; ++b) {
            std::vector<double> seqMean(W, 0.0);
            int n = 0;
            for (int t = 0; t < k.T; ++t) {
                if (!k.counts(b, t)) continue;
                ++n;
                double sq = 0, l1 = 0;
                for (int w = 0; w < W; ++w) {
                    const double a = k.at(b, t, w);
                    r.m2[w] += (a - r.mean[w]) * (a - r.mean[w]);
                    seqMean[w] += a;
                    sq += a * a;
                    l1 += std::fabs(a);
                    for (std::size_t i = 0; i < s.absThresholds.size(); ++i) r.nearZeroAbs[i] += std::fabs(a) < s.absThresholds[i];
                    batchRef += std::fabs(a) < s.referenceEpsilon;
                }
                const double rms = std::sqrt(sq / W);
                for (int w = 0; w < W; ++w) {
                    for (std::size_t j = 0; j < s.relThresholds.size(); ++j) r.nearZeroRel[j] += std::fabs(k.at(b, t, w)) < s.relThresholds[j] * rms;
                }
                r.hoyerSum += W < 2 ? 0.0 : sq > 0 ? (std::sqrt(W) - l1 / std::sqrt(sq)) / (std::sqrt(W) - 1) : 1.0;
            }
            if (n == 0) continue;
            batchTokens += n;
            double mu = 0;
            for (auto& v : seqMean) mu += (v /= n);
            mu /= W;
            double ss = 0;
            for (double v : seqMean) ss += (v - mu) * (v - mu);
            batchPooled += W > 1 ? ss / (W - 1) : 0.0;
            ++batchSamples;
        }
        if (batchTokens == 0) continue;
        r.pooledVarSum += batchPooled;
        r.pooledSamples += batchSamples;
        ++r.refBatches;
        r.refPooledVarSum += batchPooled / static_cast<double>(batchSamples);
        r.refNearZeroSum += static_cast<double>(batchRef) / (static_cast<double>(batchTokens) * W);
    }
    return r;
}

inline TransitionStats bruteForceTransition(const std::vector<KeptBatch>& in, const std::vector<KeptBatch>& out) {
    TransitionStats r;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const auto& a = in[i];
        const auto& o = out[i];
        for (int b = 0; b < a.B; ++b) {
            for (int t = 0; t < a.T; ++t) {
                if (!a.counts(b, t)) continue;
                double dot = 0, na = 0, no = 0, diff = 0;
                for (int w = 0; w < a.W; ++w) {
                    dot += a.at(b, t, w) * o.at(b, t, w);
                    na += a.at(b, t, w) * a.at(b, t, w);
                    no += o.at(b, t, w) * o.at(b, t, w);
                    diff += (o.at(b, t, w) - a.at(b, t, w)) * (o.at(b, t, w) - a.at(b, t, w));
                }
                // Documented guard: a zero vector has no direction; cos = 1 if in == out, else 0.
                const double cos = na * no > 0 ? std::clamp(dot / std::sqrt(na * no), -1.0, 1.0) : (diff == 0 ? 1.0 : 0.0);
                ++r.tokens;
                r.cosSum += cos;
                r.angleSum += std::acos(cos) / M_PI;
                r.relUpdateSum += na > 0 ? std::sqrt(diff / na) : 0.0;
            }
        }
    }
    return r;
}

// |a − b| ≤ rel·|b| + rel·scale: relative, with a floor for entries near zero in a vector of size `scale`.
inline double g_worstNear = 0;  // largest |a − b| / (|b| + scale) seen by near(), for printing
inline bool near(double a, double b, double rel, double scale = 0) {
    const double d = std::fabs(a - b), s = std::fabs(b) + scale;
    if (s > 0) g_worstNear = std::max(g_worstNear, d / s);
    return d <= rel * s;
}

inline void requireSameSite(const SiteStats& got, const SiteStats& want, double rel) {
    REQUIRE(got.tokens == want.tokens);
    REQUIRE(got.width() == want.width());
    double m2Scale = 0;
    for (int w = 0; w < want.width(); ++w) m2Scale = std::max(m2Scale, want.m2[w]);
    for (int w = 0; w < want.width(); ++w) {
        // A channel mean is compared on the scale of that channel's spread: activations computed
        // in float32 differ by ~1e-7 of their size between batch shapes, and a mean near zero
        // inherits that absolute error.
        const double spread = std::sqrt(want.m2[w] / static_cast<double>(want.tokens));
        INFO("channel " << w << ": mean " << got.mean[w] << " vs " << want.mean[w] << " (spread " << spread << ")");
        CHECK(near(got.mean[w], want.mean[w], rel, spread));
        INFO("m2 " << got.m2[w] << " vs " << want.m2[w]);
        CHECK(near(got.m2[w], want.m2[w], rel, 1e-3 * m2Scale));
    }
    CHECK(got.nearZeroAbs == want.nearZeroAbs);
    CHECK(got.nearZeroRel == want.nearZeroRel);
    CHECK(near(got.hoyerSum, want.hoyerSum, rel));
    CHECK(got.pooledSamples == want.pooledSamples);
    CHECK(near(got.pooledVarSum, want.pooledVarSum, rel));
    CHECK(got.refBatches == want.refBatches);
    CHECK(near(got.refPooledVarSum, want.refPooledVarSum, rel));
    CHECK(near(got.refNearZeroSum, want.refNearZeroSum, rel, 1e-12));
}

inline void requireSameTransition(const TransitionStats& got, const TransitionStats& want, double rel) {
    REQUIRE(got.tokens == want.tokens);
    CHECK(near(got.cosSum, want.cosSum, rel));
    CHECK(near(got.angleSum, want.angleSum, rel));
    CHECK(near(got.relUpdateSum, want.relUpdateSum, rel));
}

}  // namespace avss::test
