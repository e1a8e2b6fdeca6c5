// The chart frame shared by the explorer's QtCharts widgets.
#include "widgets/chart_view.h"

#include <QChart>
#include <QChartView>
#include <QVBoxLayout>

namespace avss::ui {

QChartView* makeChartView(QWidget* parent, QChart* chart, QVBoxLayout* layout) {
    auto* view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    if (!layout) {
        layout = new QVBoxLayout(parent);
        layout->setContentsMargins(0, 0, 0, 0);
    }
    layout->addWidget(view, 1);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignBottom);
    QFont title = chart->titleFont();
    title.setPointSizeF(title.pointSizeF() * 1.1);
    title.setBold(true);
    chart->setTitleFont(title);
    return view;
}

}  // namespace avss::ui
