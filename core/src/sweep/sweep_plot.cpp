// The sweep's plots: retention against removed blocks, one line per metric, random seeds as a
// min–max band with their mean, and the dense and 90 % lines.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "avss/error.h"
#include "avss/sweep.h"
#include "sweep/line_chart.h"
#include "util/atomic_file.h"

namespace avss {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

}  // namespace

std::string sweepPlotSvg(const SweepResult& r, const SweepPlotOptions& o) {
    const bool mean = o.task < 0;
    if (!mean && (o.task >= static_cast<int>(r.tasks.size()) || o.metric < 0 ||
                  o.metric >= static_cast<int>(r.tasks[static_cast<std::size_t>(o.task)].metrics.size()))) {
        throw UsageError({}, "no such task or metric in this sweep");
    }
    const auto value = [&](int line, int count) -> double {
        if (mean) return meanRetention(r, line, count, o.normalised).value_or(kNaN);
        const auto ret = sweepRetention(r, o.task, o.metric, line, count);
        return ret ? (o.normalised ? ret->normalised : ret->retention) : kNaN;
    };
    chart::LineChart c;
    c.width = o.width;
    c.height = o.height;
    std::vector<double> xs(r.plan.counts.begin(), r.plan.counts.end());
    c.xTicks = xs;
    c.xLabel = "blocks removed (of " + std::to_string(r.plan.layers) + ")";
    bool perplexity = false;
    if (mean) {
        c.title = std::string(o.normalised ? "Chance-normalised retention" : "Retention") + ", mean over tasks";
        std::string skipped;  // tasks the mean leaves out (at chance, not swept): named apart, not as inputs
        for (const auto& task : r.tasks) {
            auto& list = task.prunedSkipped ? skipped : c.subtitle;
            list += (list.empty() ? "" : ", ") + task.task + (task.prunedSkipped ? "" : " " + task.metrics[kPrimaryMetric]);
        }
        if (!skipped.empty()) c.subtitle += "; not swept (dense at chance): " + skipped;
    } else {
        const auto& task = r.tasks[static_cast<std::size_t>(o.task)];
        const auto& metric = task.metrics[static_cast<std::size_t>(o.metric)];
        perplexity = !task.higherIsBetter[static_cast<std::size_t>(o.metric)];
        c.title = task.title + ": " + metric + (o.normalised ? ", chance-normalised retention" : " retention");
        for (std::size_t l = 0; l < r.plan.lines.size() && c.subtitle.empty(); ++l) {
            const auto ret = sweepRetention(r, o.task, o.metric, static_cast<int>(l), 0);
            if (ret && r.plan.counts.front() == 0) {
                const auto* dense = r.cell(o.task, static_cast<int>(l), 0);
                c.subtitle = "dense " + metric + " " + fmt(ret->dense) + ", chance " + fmt(ret->floor) + ", " +
                             std::to_string(dense->items) + (perplexity ? " windows" : " items");
            }
        }
    }
    c.yLabel = o.normalised ? "(pruned − chance) / (dense − chance)"
                            : (perplexity ? "retention (dense PPL / pruned PPL)" : "retention (pruned / dense)");
    // One series per non-random line; random seeds are gathered into one band.
    std::vector<int> randomLines;
    int colour = 0;
    for (std::size_t l = 0; l < r.plan.lines.size(); ++l) {
        if (r.plan.lines[l].random) {
            randomLines.push_back(static_cast<int>(l));
            continue;
        }
        chart::Series s;
        s.name = r.plan.lines[l].label();
        s.dashed = colour >= chart::kPaletteSize;  // a repeated colour stays distinguishable
        s.colour = chart::paletteColour(colour++);
        s.x = xs;
        for (std::size_t c2 = 0; c2 < xs.size(); ++c2) s.y.push_back(value(static_cast<int>(l), static_cast<int>(c2)));
        c.series.push_back(std::move(s));
    }
    if (!randomLines.empty()) {
        chart::Band band;
        band.name = "random, " + std::to_string(randomLines.size()) + " seeds (min–max)";
        band.colour = "#7f7f7f";
        chart::Series avg;
        avg.name = "random, mean of seeds";
        avg.colour = "#7f7f7f";
        avg.dashed = true;
        for (std::size_t c2 = 0; c2 < xs.size(); ++c2) {
            double lo = INFINITY, hi = -INFINITY, sum = 0;
            int n = 0;
            for (const int l : randomLines) {
                const double v = value(l, static_cast<int>(c2));
                if (!std::isfinite(v)) continue;
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                sum += v;
                ++n;
            }
            if (n == 0) continue;
            band.x.push_back(xs[c2]);
            band.low.push_back(lo);
            band.high.push_back(hi);
            avg.x.push_back(xs[c2]);
            avg.y.push_back(sum / n);
        }
        if (randomLines.size() > 1) c.bands.push_back(std::move(band));
        c.series.push_back(std::move(avg));
    }
    c.rules.push_back({1.0, "dense", "#444444"});
    c.rules.push_back({0.9, "90 % of dense", "#b22222"});
    if (o.normalised) c.rules.push_back({0.0, "chance", "#888888"});
    return chart::renderSvg(c);
}

std::vector<SweepPlot> sweepPlots(const SweepResult& r) {
    std::vector<SweepPlot> plots;
    const auto add = [&](std::string name, SweepPlotOptions o) {
        auto svg = sweepPlotSvg(r, o);
        plots.push_back({std::move(name), o, std::move(svg)});
    };
    SweepPlotOptions mean;
    add("retention-mean", mean);
    mean.normalised = true;
    add("retention-mean-normalised", mean);
    for (std::size_t t = 0; t < r.tasks.size(); ++t) {
        if (r.tasks[t].prunedSkipped) continue;  // a dense point alone is no curve
        for (std::size_t m = 0; m < r.tasks[t].metrics.size(); ++m) {
            SweepPlotOptions o;
            o.task = static_cast<int>(t);
            o.metric = static_cast<int>(m);
            add("retention-" + r.tasks[t].task + "-" + r.tasks[t].metrics[m], o);
        }
    }
    return plots;
}

void writeSweepPlots(const std::filesystem::path& folder, const std::vector<SweepPlot>& plots) {
    std::error_code ec;
    std::filesystem::create_directories(folder, ec);
    if (ec) throw IoError(folder, "cannot create the plot folder: " + ec.message());
    for (const auto& p : plots) util::writeFileAtomically(folder / (p.name + ".svg"), p.svg);
}

}  // namespace avss
