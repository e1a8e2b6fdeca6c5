// Score reports as JSON and CSV (schema: docs/metrics.md, "Output files").
#include "avss/score_report.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "analysis/score_json.h"
#include "avss/error.h"
#include "util/atomic_file.h"
#include "util/json_number.h"

namespace avss {
namespace {

using nlohmann::json;

constexpr auto num = &util::finiteOrNull<json>;

}  // namespace

namespace analysis {

nlohmann::json provenanceJson(const StatsProvenance& p) {
    const auto& o = p.options;
    return {{"analysis_key", provenanceKey(p)},
            {"engine_version", p.engineVersion},
            {"model", {{"name", p.modelName}, {"fingerprint", p.modelFingerprint}, {"layers", p.layerCount},
                       {"hidden_size", p.hiddenSize}, {"ffn_size", p.ffnSize}}},
            {"data", {{"name", p.dataName}, {"fingerprint", p.dataFingerprint}, {"tokens_available", p.tokensAvailable}}},
            {"tokens", p.tokens},
            {"calibration_tokens", p.calibrationTokens},
            {"sequences", p.sequences},
            {"sequence_length", o.sequenceLength},
            {"max_tokens", o.maxTokens},
            {"batch_size", o.batchSize},
            {"shards_requested", o.shards},
            {"shards", p.shardCount},
            {"bos_per_window", p.bosPerWindow},
            {"settings", {{"abs_thresholds", o.settings.absThresholds}, {"rel_thresholds", o.settings.relThresholds},
                          {"reference_epsilon", o.settings.referenceEpsilon},
                          {"exclude_first_token", o.settings.excludeFirstToken}, {"attn_out", o.settings.attnOut}}},
            {"tool_version", p.toolVersion},
            {"cache_schema_version", p.schemaVersion},
            {"created_utc", p.createdUtc},
            {"warnings", p.warnings}};
}

nlohmann::json layersJson(const std::vector<LayerScore>& layers, const char* key) {
    json out = json::array();
    for (const auto& l : layers) {
        out.push_back({{key, l.layer}, {"value", num(l.value)}, {"mean", num(l.mean)}, {"sd", num(l.sd)},
                       {"rank", l.rank}, {"bottom_frequency", num(l.bottomFrequency)}});
    }
    return out;
}

nlohmann::json stabilityJson(const RankStability& st) {
    return {{"applicable", st.applicable}, {"shards", st.shards}, {"bottom_count", st.bottomCount},
            {"kendall_tau_mean", num(st.kendallTauMean)}, {"kendall_tau_min", num(st.kendallTauMin)},
            {"bottom_set_changed_fraction", num(st.bottomSetChangedFraction)},
            {"bottom_set_jaccard_mean", num(st.bottomSetJaccardMean)}};
}

nlohmann::json componentsJson(const std::vector<NamedSeries>& components) {
    json out = json::object();
    for (const auto& c : components) {
        json v = json::array();
        for (double x : c.values) v.push_back(num(x));
        out[c.name] = v;
    }
    return out;
}

}  // namespace analysis

namespace {

using namespace analysis;

json planJson(const PruningPlan& p) {
    return {{"rule", ruleName(p.rule.kind)}, {"count", p.rule.count}, {"fraction", p.rule.fraction}, {"mass", p.rule.mass},
            {"protect_first", p.rule.protectFirst}, {"protect_last", p.rule.protectLast}, {"removed", p.removed},
            {"kept", p.kept}, {"description", p.description}, {"notes", p.notes}};
}

json metricJson(const LayerScores& s, const PruningPlan* plan) {
    const auto& info = findMetric(s.metric);
    json m = {{"id", s.metric}, {"name", info.name}, {"formula", info.formula}, {"measured", info.measured},
              {"direction", info.order == PruneOrder::LowFirst ? "low values pruned first" : "high values pruned first"},
              {"layers", layersJson(s.layers, "layer")}, {"prune_order", s.pruneOrder}, {"bottom_set", s.bottomSet},
              {"stability", stabilityJson(s.stability)}, {"components", componentsJson(s.components)}, {"warnings", s.warnings},
              {"guarded_layers", s.guardedLayers}};  // scores resting on a guard (lower bounds): see docs/metrics.md
    if (s.metric == "random") m["seed"] = s.seed;
    if (plan != nullptr) m["plan"] = planJson(*plan);
    return m;
}

const PruningPlan* planFor(const ScoreReport& r, const std::string& metric) {
    for (const auto& p : r.plans) {
        if (p.metric == metric) return &p;
    }
    return nullptr;
}

json unavailableJson(const std::vector<UnavailableMetric>& list) {
    json out = json::array();
    for (const auto& u : list) out.push_back({{"id", u.metric}, {"reason", u.reason}});
    return out;
}

json matrixJson(const std::vector<std::vector<double>>& m) {
    json out = json::array();
    for (const auto& row : m) {
        json r = json::array();
        for (double v : row) r.push_back(num(v));
        out.push_back(r);
    }
    return out;
}

// What each measured metric ran on and found, step by step (its scores are in "metrics").
json measuredJson(const std::vector<MeasuredImportance>& list) {
    json out = json::array();
    for (const auto& m : list) {
        json steps = json::array();
        for (const auto& s : m.steps) steps.push_back({{"layer", s.layer}, {"nll", num(s.nll)}, {"value", num(s.value)}});
        json j = {{"id", m.metric},
                  {"calibration", {{"tokens", m.tokens}, {"windows", m.windows}, {"window", m.window}, {"bos_per_window", m.bosPerWindow}}},
                  {"dense_nll", num(m.denseNll)},
                  {"steps", steps},
                  {"removal_order", m.removalOrder()},
                  {"forward_passes", m.forwardPasses},
                  {"reused_passes", m.reusedPasses},
                  {"seconds", m.seconds},
                  {"notes", m.notes}};
        if (m.isGreedy()) {
            j["max_removed"] = m.maxRemoved;
            j["protect_first"] = m.protectFirst;
            j["protect_last"] = m.protectLast;
        }
        out.push_back(j);
    }
    return out;
}

}  // namespace

std::string scoreReportJson(const ScoreReport& r) {
    json metrics = json::array();
    for (const auto& s : r.scores) metrics.push_back(metricJson(s, planFor(r, s.metric)));
    json j = {{"schema", "avss-scores"},
              {"schema_version", kScoreReportSchemaVersion},
              {"conventions", "layers are 0-based; for every metric rank 0 = first layer to prune; sd is across shards (N-1)"},
              {"provenance", provenanceJson(r.provenance)},
              {"layer_count", r.provenance.layerCount},
              {"metrics", metrics},
              {"unavailable_metrics", unavailableJson(r.unavailable)},
              {"agreement", {{"metrics", r.agreement.metrics}, {"bottom_count", r.agreement.bottomCount},
                             {"kendall_tau", matrixJson(r.agreement.kendallTau)}, {"jaccard", matrixJson(r.agreement.jaccard)}}},
              {"measured", measuredJson(r.measured)},
              {"scoring_seconds", r.scoringSeconds}};
    if (r.spans) {
        j["spans"] = {{"length", r.spans->length}, {"starts", layersJson(r.spans->starts, "start")}, {"warnings", r.spans->warnings}};
        if (r.spanPlan) j["spans"]["plan"] = planJson(*r.spanPlan);
    }
    return j.dump(2) + "\n";
}

std::string scoreReportCsv(const ScoreReport& r) {
    std::ostringstream o;
    o.precision(17);
    o << "metric,layer,value,mean,sd,rank,bottom_frequency,removed\n";
    auto cell = [&](double v) -> std::ostream& { return std::isfinite(v) ? (o << v) : o; };
    for (const auto& s : r.scores) {
        const auto* plan = planFor(r, s.metric);
        for (const auto& l : s.layers) {
            bool removed = false;
            if (plan != nullptr) {
                for (int x : plan->removed) removed = removed || x == l.layer;
            }
            o << s.metric << ',' << l.layer << ',';
            cell(l.value) << ',';
            cell(l.mean) << ',';
            cell(l.sd) << ',' << l.rank << ',';
            cell(l.bottomFrequency) << ',' << (removed ? 1 : 0) << '\n';
        }
    }
    return o.str();
}

void writeScoreReport(const std::filesystem::path& path, const ScoreReport& report) {
    const auto ext = path.extension().string();
    std::string text;
    if (ext == ".json") text = scoreReportJson(report);
    else if (ext == ".csv") text = scoreReportCsv(report);
    else throw UsageError(path, "unknown output format '" + ext + "'", "Use a .json or .csv file name.");
    util::writeFileAtomically(path, text);
}

}  // namespace avss
