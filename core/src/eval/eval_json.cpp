// The `avss eval --out` document (schema in docs/evaluation.md §1): keys in a fixed order,
// non-finite numbers as null, invalid UTF-8 in model text replaced rather than thrown on.
#include "avss/eval_result.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "util/json_number.h"

namespace avss {
namespace {

using Json = nlohmann::ordered_json;

constexpr auto number = &util::finiteOrNull<Json>;

Json metricJson(const MetricSummary& m) {
    Json out;
    out["name"] = m.name;
    out["value"] = number(m.value);
    out["floor"] = number(m.floor);
    out["ci_low"] = number(m.ci.low);
    out["ci_high"] = number(m.ci.high);
    out["stderr"] = number(m.stderrMean);
    out["higher_is_better"] = m.higherIsBetter;
    const bool bounded = m.higherIsBetter && m.floor < 1.0;  // a [0, 1] score with room above chance
    out["chance_normalised"] = bounded ? number((m.value - m.floor) / (1.0 - m.floor)) : Json(nullptr);
    return out;
}

Json recordJson(const ItemRecord& r, const std::vector<MetricSummary>& metrics) {
    Json out;
    out["source"] = r.source;
    Json values = Json::object();
    for (std::size_t i = 0; i < r.values.size(); ++i) {
        values[i < metrics.size() ? metrics[i].name : "value_" + std::to_string(i)] = number(r.values[i]);
    }
    out["values"] = std::move(values);
    Json loglik = Json::array();
    for (const auto& set : r.loglik) {
        Json row = Json::array();
        for (const double v : set) row.push_back(number(v));
        loglik.push_back(std::move(row));
    }
    out["loglik"] = std::move(loglik);
    out["generation"] = r.generation;
    out["tie"] = r.tie;
    return out;
}

}  // namespace

std::string toJson(const EvalResult& result, int indent) {
    Json doc;
    doc["task"] = result.task;
    doc["title"] = result.title;
    doc["format"] = result.format;
    doc["data_file"] = result.dataFile;
    doc["model"] = result.model;
    doc["skip_layers"] = result.skipLayers;
    doc["items"] = result.items;
    doc["rows_read"] = result.rowsRead;
    Json skipped = Json::array();
    for (const auto& row : result.skipped) skipped.push_back(Json{{"where", row.where}, {"reason", row.reason}});
    doc["skipped"] = std::move(skipped);
    doc["ties"] = result.ties;
    Json metrics = Json::array();
    for (const auto& m : result.metrics) metrics.push_back(metricJson(m));
    doc["metrics"] = std::move(metrics);
    doc["notes"] = result.notes;
    doc["seconds"] = number(result.seconds);
    doc["bootstrap_iterations"] = result.bootstrapIterations;
    if (!result.records.empty()) {
        Json records = Json::array();
        for (const auto& r : result.records) records.push_back(recordJson(r, result.metrics));
        doc["records"] = std::move(records);
    }
    return doc.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace avss
