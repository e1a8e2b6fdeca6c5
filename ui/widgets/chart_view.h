// One look for every chart: antialiased view, small margins, legend below, a bold title.
#pragma once

class QChart;
class QChartView;
class QVBoxLayout;
class QWidget;

namespace avss::ui {

// A view of `chart` added to `layout` (stretch 1), or to a new margin-free layout on `parent` when null.
QChartView* makeChartView(QWidget* parent, QChart* chart, QVBoxLayout* layout = nullptr);

}  // namespace avss::ui
