// The `avss sweep --out` files: JSON (plan, tasks, cells and rows; docs/sweep.md) and CSV (rows).
#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "avss/error.h"
#include "avss/sweep.h"
#include "util/atomic_file.h"
#include "util/json_number.h"

namespace avss {
namespace {

using Json = nlohmann::ordered_json;

constexpr auto number = &util::finiteOrNull<Json>;

Json rowJson(const SweepRow& r) {
    Json out;
    out["task"] = r.task;
    out["metric"] = r.metric;
    out["line"] = r.line;
    out["selection"] = r.selection;
    out["seed"] = r.seed;
    out["removed_count"] = r.removedCount;
    out["fraction"] = number(r.fraction);
    out["removed"] = r.removed;
    out["value"] = number(r.value);
    out["ci_low"] = number(r.ciLow);
    out["ci_high"] = number(r.ciHigh);
    out["dense"] = number(r.dense);
    out["floor"] = number(r.floor);
    out["retention"] = number(r.retention);
    out["normalised_retention"] = number(r.normalised);
    out["from_store"] = r.fromStore;
    return out;
}

std::string csvNumber(double v) {
    if (!std::isfinite(v)) return "";
    std::ostringstream s;
    s.precision(10);
    s << v;
    return s.str();
}

// RFC 4180: quote a field that holds a comma, quote or line break.
std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

}  // namespace

std::string sweepJson(const SweepResult& r) {
    Json doc;
    doc["format"] = "avss-sweep";
    doc["schema_version"] = 1;
    doc["layers"] = r.plan.layers;
    doc["counts"] = r.plan.counts;
    Json lines = Json::array();
    for (const auto& l : r.plan.lines) {
        Json line;
        line["label"] = l.label();
        line["metric"] = l.metric;
        line["seed"] = l.seed;
        Json sets = Json::array();
        for (const auto& s : l.removed) sets.push_back(s ? Json(*s) : Json(nullptr));
        line["removed"] = std::move(sets);
        line["unavailable"] = l.unavailable;
        lines.push_back(std::move(line));
    }
    doc["lines"] = std::move(lines);
    Json tasks = Json::array();
    for (const auto& t : r.tasks) {
        tasks.push_back({{"task", t.task}, {"title", t.title}, {"format", t.format}, {"file", t.file.string()},
                         {"metrics", t.metrics}, {"items", t.items}, {"at_chance", t.atChance},
                         {"pruned_skipped", t.prunedSkipped}});
    }
    doc["tasks"] = std::move(tasks);
    Json cells = Json::array();
    for (const auto& c : r.cells) {
        Json cell;
        cell["task"] = r.tasks[static_cast<std::size_t>(c.task)].task;
        cell["removed"] = c.removed;
        cell["key"] = c.key;
        cell["items"] = c.items;
        cell["seconds"] = number(c.seconds);
        cell["from_store"] = c.fromStore;
        Json metrics = Json::array();
        for (const auto& m : c.metrics) {
            metrics.push_back({{"name", m.name}, {"value", number(m.value)}, {"floor", number(m.floor)},
                               {"ci_low", number(m.ci.low)}, {"ci_high", number(m.ci.high)}, {"stderr", number(m.stderrMean)},
                               {"higher_is_better", m.higherIsBetter}});
        }
        cell["metrics"] = std::move(metrics);
        cells.push_back(std::move(cell));
    }
    doc["cells"] = std::move(cells);
    Json rows = Json::array();
    for (const auto& row : sweepRows(r)) rows.push_back(rowJson(row));
    doc["rows"] = std::move(rows);
    doc["notes"] = r.plan.notes;
    for (const auto& n : r.notes) doc["notes"].push_back(n);
    doc["computed_cells"] = r.computed;
    doc["stored_cells_used"] = r.reused;
    doc["seconds"] = number(r.seconds);
    return doc.dump(2, ' ', false, Json::error_handler_t::replace);
}

std::string sweepCsv(const SweepResult& r) {
    std::string out = "task,metric,line,selection,seed,removed_count,fraction,removed,value,ci_low,ci_high,dense,floor,"
                      "retention,normalised_retention,from_store\n";
    for (const auto& row : sweepRows(r)) {
        std::string removed;
        for (const int b : row.removed) removed += (removed.empty() ? "" : " ") + std::to_string(b);
        out += csvField(row.task) + "," + csvField(row.metric) + "," + csvField(row.line) + "," + csvField(row.selection) + "," +
               std::to_string(row.seed) + "," + std::to_string(row.removedCount) + "," + csvNumber(row.fraction) + "," + removed +
               "," + csvNumber(row.value) + "," + csvNumber(row.ciLow) + "," + csvNumber(row.ciHigh) + "," + csvNumber(row.dense) +
               "," + csvNumber(row.floor) + "," + csvNumber(row.retention) + "," + csvNumber(row.normalised) + "," +
               (row.fromStore ? "true" : "false") + "\n";
    }
    return out;
}

void writeSweep(const std::filesystem::path& file, const SweepResult& result) {
    const auto ext = file.extension().string();
    if (ext == ".json") {
        util::writeFileAtomically(file, sweepJson(result) + "\n");
    } else if (ext == ".csv") {
        util::writeFileAtomically(file, sweepCsv(result));
    } else {
        throw UsageError({}, file.string() + ": unknown output format '" + ext + "'", "Name a .json or .csv file.");
    }
}

}  // namespace avss
