// Building the heatmap rows from LayerScores and painting them one pixel per cell.
#include "render/heatmap_grid.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "render/colour_map.h"
#include "util/qt_convert.h"

namespace avss::ui {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Ascending order of the finite values (ties: lower layer first); non-finite values get −1.
std::vector<int> ascendingRanks(const std::vector<double>& values) {
    std::vector<int> order;
    for (int i = 0; i < static_cast<int>(values.size()); ++i) {
        if (std::isfinite(values[static_cast<std::size_t>(i)])) order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return values[static_cast<std::size_t>(a)] < values[static_cast<std::size_t>(b)]; });
    std::vector<int> rank(values.size(), -1);
    for (int r = 0; r < static_cast<int>(order.size()); ++r) rank[static_cast<std::size_t>(order[static_cast<std::size_t>(r)])] = r;
    return rank;
}

std::vector<double> minMax(const std::vector<double>& values) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values) {
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
    std::vector<double> out(values.size(), kNaN);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (std::isfinite(values[i])) out[i] = hi > lo ? (values[i] - lo) / (hi - lo) : 0.5;
    }
    return out;
}

// Values that are all positive and span more than two decades would leave most cells at the dark
// end of a linear scale; their logarithm keeps the order and shows the structure.
bool wantsLog(const std::vector<double>& values) {
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        if (v <= 0) return false;
        lo = std::min(lo, v), hi = std::max(hi, v);
    }
    return hi > 0 && hi / lo > 100;
}

std::vector<double> byValue(const std::vector<double>& values, bool logColour) {
    if (!logColour) return minMax(values);
    std::vector<double> logs(values.size());
    std::transform(values.begin(), values.end(), logs.begin(), [](double v) { return std::isfinite(v) ? std::log10(v) : v; });
    return minMax(logs);
}

std::vector<double> byRank(const std::vector<int>& rank, const std::vector<double>& values) {
    const auto finite = std::count_if(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
    std::vector<double> out(values.size(), kNaN);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (std::isfinite(values[i]) && rank[i] >= 0) out[i] = finite > 1 ? static_cast<double>(rank[i]) / static_cast<double>(finite - 1) : 0.5;
    }
    return out;
}

// Differences on a scale symmetric around 0: unchanged layers share the middle colour in every row.
std::vector<double> aroundZero(const std::vector<double>& values) {
    double span = 0;
    for (double v : values) {
        if (std::isfinite(v)) span = std::max(span, std::abs(v));
    }
    std::vector<double> out(values.size(), kNaN);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (std::isfinite(values[i])) out[i] = span > 0 ? 0.5 + 0.5 * values[i] / span : 0.5;
    }
    return out;
}

// A scored row's values, shard spread and ranks, layer by layer.
void takeLayers(HeatmapRow& row, const avss::LayerScores& s) {
    for (const auto& l : s.layers) {
        row.values.push_back(l.value);
        row.sd.push_back(l.sd);
        row.rank.push_back(l.rank);
    }
}

HeatmapRow metricRow(const avss::LayerScores& s, HeatmapScale scale) {
    const auto& info = avss::findMetric(s.metric);
    HeatmapRow row;
    row.id = row.metricId = toQString(s.metric);
    row.label = toQString(info.name);
    takeLayers(row, s);
    for (const auto& l : s.layers) {
        row.lowerBound.push_back(std::find(s.guardedLayers.begin(), s.guardedLayers.end(), l.layer) != s.guardedLayers.end());
    }
    row.boundNote = toQString(s.guardNote);
    if (scale == HeatmapScale::Rank) {
        row.normalised = byRank(row.rank, row.values);  // rank 0 = pruned first = dark
    } else {
        row.logColour = wantsLog(row.values);
        row.normalised = byValue(row.values, row.logColour);
        if (info.order == avss::PruneOrder::HighFirst) {
            for (double& v : row.normalised) v = 1.0 - v;
        }
    }
    return row;
}

HeatmapRow componentRow(const avss::LayerScores& s, const avss::NamedSeries& c, HeatmapScale scale) {
    const auto& info = avss::findMetric(s.metric);
    HeatmapRow row;
    row.id = toQString(s.metric) + QLatin1Char('/') + toQString(c.name);
    row.metricId = toQString(s.metric);
    row.isMetric = false;
    QString name = toQString(c.name);
    if (!name.isEmpty()) name[0] = name[0].toUpper();
    row.label = QStringLiteral("%1 (%2)").arg(name, toQString(info.measured));
    row.values = c.values;
    row.sd.assign(c.values.size(), kNaN);
    row.rank.assign(c.values.size(), -1);
    row.logColour = scale == HeatmapScale::Value && wantsLog(c.values);
    row.normalised = scale == HeatmapScale::Rank ? byRank(ascendingRanks(c.values), c.values) : byValue(c.values, row.logColour);
    return row;
}

}  // namespace

int HeatmapGrid::rowOf(const QString& id) const {
    for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
        if (rows[static_cast<std::size_t>(i)].id == id) return i;
    }
    return -1;
}

HeatmapGrid buildHeatmapGrid(const std::vector<avss::LayerScores>& scores, HeatmapScale scale) {
    HeatmapGrid grid;
    const auto withComponents = std::find_if(scores.begin(), scores.end(), [](const avss::LayerScores& s) { return !s.components.empty(); });
    if (withComponents != scores.end()) {
        for (const auto& c : withComponents->components) grid.rows.push_back(componentRow(*withComponents, c, scale));
    }
    for (const auto& s : scores) {
        if (avss::findMetric(s.metric).usesData) grid.rows.push_back(metricRow(s, scale));
    }
    for (const auto& r : grid.rows) grid.layers = std::max(grid.layers, static_cast<int>(r.values.size()));
    return grid;
}

void appendHallucinationRows(HeatmapGrid& grid, const avss::HalluScores& scores, const QString& source, HeatmapScale scale) {
    const auto add = [&](const avss::LayerScores& s, const QString& name) {
        HeatmapRow row;
        row.id = QStringLiteral("hallu/") + name.toLower();
        row.label = source.isEmpty() ? name : QStringLiteral("%1 · %2").arg(name, source);
        row.isMetric = false;
        row.isHallucination = true;
        takeLayers(row, s);
        row.logColour = scale == HeatmapScale::Value && wantsLog(row.values);
        row.normalised = scale == HeatmapScale::Rank ? byRank(ascendingRanks(row.values), row.values) : byValue(row.values, row.logColour);
        grid.layers = std::max(grid.layers, static_cast<int>(row.values.size()));
        grid.rows.push_back(std::move(row));
    };
    add(scores.eavss, QStringLiteral("EAVSS"));
    if (scores.hsav) add(*scores.hsav, QStringLiteral("HSAV"));
    if (scores.hss) add(*scores.hss, QStringLiteral("HSS"));
}

HeatmapGrid differenceGrid(const HeatmapGrid& original, const HeatmapGrid& tuned, HeatmapScale scale) {
    HeatmapGrid grid;
    for (const auto& o : original.rows) {
        const int at = tuned.rowOf(o.id);
        if (at < 0) continue;
        const auto& t = tuned.rows[static_cast<std::size_t>(at)];
        HeatmapRow row = o;
        row.isDifference = true;
        row.label = QStringLiteral("Δ ") + o.label;
        row.logColour = false;  // differences change sign
        row.values.assign(o.values.size(), kNaN);
        for (std::size_t l = 0; l < o.values.size() && l < t.values.size(); ++l) {
            if (std::isfinite(o.values[l]) && std::isfinite(t.values[l])) row.values[l] = t.values[l] - o.values[l];
        }
        row.sd.assign(row.values.size(), kNaN);
        row.rank.assign(row.values.size(), -1);
        row.lowerBound.clear();  // a difference of bounds bounds nothing
        row.normalised = scale == HeatmapScale::Rank ? byRank(ascendingRanks(row.values), row.values) : aroundZero(row.values);
        grid.layers = std::max(grid.layers, static_cast<int>(row.values.size()));
        grid.rows.push_back(std::move(row));
    }
    return grid;
}

QImage renderHeatmapCells(const HeatmapGrid& grid) {
    if (grid.layers == 0 || grid.rows.empty()) return {};
    QImage image(grid.layers, static_cast<int>(grid.rows.size()), QImage::Format_RGB32);
    image.fill(missingValueColour());
    for (int r = 0; r < static_cast<int>(grid.rows.size()); ++r) {
        const auto& row = grid.rows[static_cast<std::size_t>(r)];
        for (int l = 0; l < static_cast<int>(row.normalised.size()); ++l) {
            const double t = row.normalised[static_cast<std::size_t>(l)];
            if (std::isfinite(t)) image.setPixel(l, r, viridis(t).rgb());
        }
    }
    return image;
}

}  // namespace avss::ui
