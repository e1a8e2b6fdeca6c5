// SweepResult → curves: the core's retention of every (line, count) cell, nothing recomputed here.
#include "widgets/sweep_curves.h"

#include <cmath>

#include "avss/sweep.h"
#include "util/metric_name.h"
#include "util/qt_convert.h"

namespace avss::ui {

SweepCurves sweepCurves(const avss::SweepResult& result, int task) {
    SweepCurves out;
    out.layers = result.plan.layers;
    if (task < 0 || task >= static_cast<int>(result.tasks.size())) return out;
    const auto& info = result.tasks[static_cast<std::size_t>(task)];
    out.task = toQString(info.title.empty() ? info.task : info.title);
    out.metric = info.metrics.empty() ? QString() : toQString(info.metrics[avss::kPrimaryMetric]);
    for (std::size_t line = 0; line < result.plan.lines.size(); ++line) {
        const auto& l = result.plan.lines[line];
        SweepCurve curve{l.random ? toQString(l.label()) : metricName(toQString(l.metric)), toQString(l.metric), l.random, {}};
        for (std::size_t c = 0; c < result.plan.counts.size(); ++c) {
            const auto r = avss::sweepRetention(result, task, avss::kPrimaryMetric, static_cast<int>(line), static_cast<int>(c));
            if (!r) continue;
            curve.points.emplace_back(result.plan.counts[c], r->retention);
            out.dense = r->dense;
            out.floor = r->floor;
            if (std::isfinite(r->floorRetention)) out.floorRetention = r->floorRetention;
        }
        out.curves.push_back(std::move(curve));
    }
    return out;
}

}  // namespace avss::ui
