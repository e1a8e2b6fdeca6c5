// A retention sweep as chart data: one curve per line of the sweep (retention against removed
// blocks), plus the dense score and chance floor of the task. Values come from avss::sweepRetention.
#pragma once

#include <QPointF>
#include <QString>
#include <optional>
#include <vector>

namespace avss {
struct SweepResult;
}

namespace avss::ui {

struct SweepCurve {
    QString label;                 // the line's label: "bi", "random#2"
    QString metric;                // the metric id whose plans the line follows
    bool random = false;           // one seed of the random baseline (drawn lighter)
    std::vector<QPointF> points;   // x = removed blocks, y = retention; counts without a cell are absent
};

struct SweepCurves {
    QString task, metric;          // the task's title and primary metric
    std::vector<SweepCurve> curves;
    std::optional<double> dense, floor;  // the task's dense score and chance floor (metric units)
    std::optional<double> floorRetention;  // the chance floor on the retention axis
    int layers = 0;
    bool empty() const { return curves.empty(); }
};

// Curves of task `task`'s primary metric; cells not evaluated yet leave gaps that fill later.
SweepCurves sweepCurves(const avss::SweepResult& result, int task = 0);

}  // namespace avss::ui
