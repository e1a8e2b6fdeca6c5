// Hallucination reports as JSON (see avss/hallu_report.h; schema in docs/hallucination.md).
#include "avss/hallu_report.h"

#include <nlohmann/json.hpp>

#include "analysis/score_json.h"
#include "avss/error.h"
#include "eval/input_file.h"
#include "util/atomic_file.h"
#include "util/json_number.h"

namespace avss {
namespace {

using nlohmann::json;

constexpr auto num = &util::finiteOrNull<json>;

json scoresJson(const LayerScores& s) {
    return {{"id", s.metric}, {"layers", analysis::layersJson(s.layers, "layer")}, {"order", s.pruneOrder},
            {"top_set", s.bottomSet}, {"stability", analysis::stabilityJson(s.stability)},
            {"components", analysis::componentsJson(s.components)}, {"guarded_layers", s.guardedLayers}};
}

json analysisJson(const HalluScores& a) {
    const auto& v = findHalluVariant(a.variant);
    json out = {{"variant", a.variant}, {"name", v.name}, {"formula", v.formula}, {"base", a.base},
                {"direction", "high values are hallucination-prone (rank 0 = most)"}, {"top_k", a.eavss.stability.bottomCount},
                {"selected", a.selected}, {"eavss", scoresJson(a.eavss)}, {"warnings", a.warnings}};
    if (a.hsav) out["hsav"] = scoresJson(*a.hsav);
    if (a.hss) out["hss"] = scoresJson(*a.hss);
    return out;
}

}  // namespace

HalluReport buildHalluReport(const PairSet& pairs, const HalluStats& stats, bool lengthMatched,
                             const std::vector<std::string>& variants, const HalluScoreOptions& options) {
    HalluReport r;
    r.pairs = pairs.spec;
    r.questions = pairs.questions;
    r.pairCount = static_cast<std::int64_t>(pairs.pairs.size());
    r.unpaired = pairs.unpaired;
    r.lengthMatched = lengthMatched;
    r.truthful = stats.truthful.provenance;
    r.hallucinated = stats.hallucinated.provenance;
    std::vector<std::string> ids = variants;
    if (ids.empty()) {
        for (const auto& v : halluVariants()) ids.push_back(v.id);
    }
    for (const auto& id : ids) {
        auto o = options;
        o.variant = id;
        r.analyses.push_back(scoreHallucination(stats, o));
    }
    return r;
}

std::string halluReportJson(const HalluReport& r) {
    json analyses = json::array();
    for (const auto& a : r.analyses) analyses.push_back(analysisJson(a));
    const double tT = r.analyses.empty() ? 0 : r.analyses.front().truthfulTokensPerAnswer;
    const double tH = r.analyses.empty() ? 0 : r.analyses.front().hallucinatedTokensPerAnswer;
    const json doc = {{"schema", "avss-hallucination-report"},
                      {"schema_version", kHalluReportSchemaVersion},
                      {"pairs", {{"file", r.pairs.file.string()}, {"format", pairFormatName(r.pairs.format)},
                                 {"knowledge", r.pairs.knowledge}, {"limit", r.pairs.limit}, {"half", pairHalfName(r.pairs.half)}, {"questions", r.questions},
                                 {"pairs", r.pairCount}, {"unpaired_answers", r.unpaired}, {"length_matched", r.lengthMatched}}},
                      {"tokens_per_answer", {{"truthful", num(tT)}, {"hallucinated", num(tH)}}},
                      {"truthful", analysis::provenanceJson(r.truthful)},
                      {"hallucinated", analysis::provenanceJson(r.hallucinated)},
                      {"analyses", analyses}};
    return doc.dump(2) + "\n";
}

void writeHalluReport(const std::filesystem::path& path, const HalluReport& report) {
    if (path.extension() != ".json") throw UsageError(path, "a hallucination report is written as JSON", "Use a .json file name.");
    util::writeFileAtomically(path, halluReportJson(report));
}

std::vector<double> readHalluValues(const std::filesystem::path& path, const std::string& variant, std::vector<int>* selected) {
    const auto text = eval::readInputFile(path, std::uint64_t{64} << 20);
    const auto doc = json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || doc.value("schema", "") != "avss-hallucination-report") {
        throw FormatError(path, "not a hallucination report (written by avss hallu --out)");
    }
    try {
        for (const auto& a : doc.at("analyses")) {
            if (a.at("variant").get<std::string>() != variant) continue;
            std::vector<double> values;
            for (const auto& l : a.at("eavss").at("layers")) values.push_back(l.at("value").is_null() ? std::nan("") : l.at("value").get<double>());
            if (selected != nullptr) *selected = a.at("selected").get<std::vector<int>>();
            return values;
        }
    } catch (const json::exception& e) {
        throw FormatError(path, std::string("malformed hallucination report (") + e.what() + ")");
    }
    throw FormatError(path, "the report has no '" + variant + "' analysis");
}

}  // namespace avss
