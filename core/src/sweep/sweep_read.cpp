// Reading a sweep: retention of each cell against its task's dense cell, the mean over tasks, and
// the flat rows that the JSON, the CSV and the plots are made from.
#include <cmath>
#include <limits>

#include "avss/sweep.h"

namespace avss {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The dense cell of a task: any line's cell with nothing removed.
const SweepCell* denseCell(const SweepResult& r, int task) {
    for (std::size_t c = 0; c < r.plan.counts.size(); ++c) {
        if (r.plan.counts[c] != 0) continue;
        for (std::size_t l = 0; l < r.plan.lines.size(); ++l) {
            if (const auto* cell = r.cell(task, static_cast<int>(l), static_cast<int>(c))) return cell;
        }
    }
    return nullptr;
}

}  // namespace

const SweepCell* SweepResult::cell(int task, int line, int count) const {
    if (task < 0 || task >= static_cast<int>(cellOf.size())) return nullptr;
    const auto& lines = cellOf[static_cast<std::size_t>(task)];
    if (line < 0 || line >= static_cast<int>(lines.size())) return nullptr;
    const auto& counts = lines[static_cast<std::size_t>(line)];
    if (count < 0 || count >= static_cast<int>(counts.size())) return nullptr;
    const int i = counts[static_cast<std::size_t>(count)];
    return i < 0 ? nullptr : &cells[static_cast<std::size_t>(i)];
}

std::filesystem::path sweepCellStore(const std::filesystem::path& statsCacheFile) {
    if (statsCacheFile.empty()) return {};  // an analysis without a cache file: no store (not "./.cells")
    auto folder = statsCacheFile;
    folder.replace_extension(".cells");
    return folder;
}

double retentionRatio(double pruned, double dense, bool higherIsBetter) {
    // Perplexity falls as the model gets better: dense/pruned keeps "1 = as good as dense".
    const double denominator = higherIsBetter ? dense : pruned;
    return denominator > 0 ? (higherIsBetter ? pruned : dense) / denominator : kNaN;
}

std::optional<Retention> sweepRetention(const SweepResult& r, int task, int metric, int line, int count) {
    const auto* cell = r.cell(task, line, count);
    const auto* dense = denseCell(r, task);
    if (!cell || !dense || metric < 0 || metric >= static_cast<int>(cell->metrics.size()) ||
        metric >= static_cast<int>(dense->metrics.size())) {
        return std::nullopt;
    }
    const auto& m = cell->metrics[static_cast<std::size_t>(metric)];
    Retention out;
    out.value = m.value;
    out.dense = dense->metrics[static_cast<std::size_t>(metric)].value;
    out.floor = m.floor;
    out.retention = retentionRatio(m.value, out.dense, m.higherIsBetter);
    out.floorRetention = retentionRatio(out.floor, out.dense, m.higherIsBetter);
    // A dense model at chance leaves nothing to retain: undefined, not ±inf.
    out.normalised = out.dense != out.floor ? (m.value - out.floor) / (out.dense - out.floor) : kNaN;
    return out;
}

bool denseAtChance(const MetricSummary& m) {
    const bool interval = std::isfinite(m.ci.low) && std::isfinite(m.ci.high) && m.ci.low <= m.ci.high;
    if (m.higherIsBetter) return (interval ? m.ci.low : m.value) <= m.floor;
    return (interval ? m.ci.high : m.value) >= m.floor;
}

std::optional<double> meanRetention(const SweepResult& r, int line, int count, bool normalised) {
    double sum = 0;
    int used = 0;
    for (std::size_t t = 0; t < r.tasks.size(); ++t) {
        if (r.tasks[t].prunedSkipped) continue;
        const auto ret = sweepRetention(r, static_cast<int>(t), kPrimaryMetric, line, count);
        if (!ret) return std::nullopt;
        sum += normalised ? ret->normalised : ret->retention;
        ++used;
    }
    if (used == 0) return std::nullopt;
    return sum / used;
}

std::vector<SweepRow> sweepRows(const SweepResult& r) {
    std::vector<SweepRow> rows;
    const auto base = [&](std::size_t l, std::size_t c) {
        SweepRow row;
        const auto& line = r.plan.lines[l];
        row.line = line.label();
        row.selection = line.metric;
        row.seed = line.seed;
        row.removedCount = r.plan.counts[c];
        row.fraction = r.plan.layers > 0 ? static_cast<double>(row.removedCount) / r.plan.layers : kNaN;
        if (line.removed[c]) row.removed = *line.removed[c];
        return row;
    };
    for (std::size_t t = 0; t < r.tasks.size(); ++t) {
        for (std::size_t m = 0; m < r.tasks[t].metrics.size(); ++m) {
            for (std::size_t l = 0; l < r.plan.lines.size(); ++l) {
                for (std::size_t c = 0; c < r.plan.counts.size(); ++c) {
                    const auto ret = sweepRetention(r, static_cast<int>(t), static_cast<int>(m), static_cast<int>(l), static_cast<int>(c));
                    if (!ret) continue;
                    const auto* cell = r.cell(static_cast<int>(t), static_cast<int>(l), static_cast<int>(c));
                    auto row = base(l, c);
                    row.task = r.tasks[t].task;
                    row.metric = r.tasks[t].metrics[m];
                    const auto& s = cell->metrics[m];
                    row.value = s.value;
                    row.ciLow = s.ci.low;
                    row.ciHigh = s.ci.high;
                    row.dense = ret->dense;
                    row.floor = ret->floor;
                    row.retention = ret->retention;
                    row.normalised = ret->normalised;
                    row.fromStore = cell->fromStore;
                    rows.push_back(std::move(row));
                }
            }
        }
    }
    for (std::size_t l = 0; l < r.plan.lines.size(); ++l) {
        for (std::size_t c = 0; c < r.plan.counts.size(); ++c) {
            const auto mean = meanRetention(r, static_cast<int>(l), static_cast<int>(c));
            if (!mean) continue;
            auto row = base(l, c);
            row.task = "mean";
            row.metric = "retention";
            row.value = row.ciLow = row.ciHigh = row.dense = row.floor = kNaN;
            row.retention = *mean;
            row.normalised = *meanRetention(r, static_cast<int>(l), static_cast<int>(c), true);
            rows.push_back(std::move(row));
        }
    }
    return rows;
}

}  // namespace avss
