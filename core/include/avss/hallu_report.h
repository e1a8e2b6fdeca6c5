// A hallucination report: where the pairs came from, both sides' provenance, and HSAV/HSS/EAVSS
// for each requested variant. What `avss hallu` writes (schema in docs/hallucination.md) and what
// the explorer shows. Torch-free.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "avss/answer_pairs.h"
#include "avss/hallu_scores.h"
#include "avss/hallu_stats.h"

namespace avss {

constexpr int kHalluReportSchemaVersion = 1;

struct HalluReport {
    PairSpec pairs;
    std::int64_t questions = 0, pairCount = 0, unpaired = 0;
    bool lengthMatched = false;
    StatsProvenance truthful, hallucinated;
    std::vector<HalluScores> analyses;  // one per variant, in request order
};

// Scores every variant in `variants` (empty: all) on one base preset with one top-k.
HalluReport buildHalluReport(const PairSet& pairs, const HalluStats& stats, bool lengthMatched,
                             const std::vector<std::string>& variants, const HalluScoreOptions& options);

std::string halluReportJson(const HalluReport& report);  // NaN/inf → null
void writeHalluReport(const std::filesystem::path& path, const HalluReport& report);  // .json only; atomic; IoError, UsageError

// The EAVSS values of `variant` from a report file written by writeHalluReport, [layer]; the
// selected layers into `selected` when given. FormatError naming the file for anything else.
std::vector<double> readHalluValues(const std::filesystem::path& path, const std::string& variant, std::vector<int>* selected = nullptr);

}  // namespace avss
