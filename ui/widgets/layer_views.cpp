// Wiring of the heatmap, the score chart and the layer table to the Workspace.
#include "widgets/layer_views.h"

#include <QHeaderView>
#include <QTableView>

#include "models/layer_table_model.h"
#include "widgets/heatmap_view.h"
#include "widgets/score_chart.h"
#include "workspace.h"

namespace avss::ui {
namespace {

std::vector<int> protectedLayers(const Workspace& w) {
    std::vector<int> out;
    if (!w.hasAnalysis()) return out;
    const int layers = w.analysis().stats->layerCount();
    if (w.rule().protectFirst) out.push_back(0);
    if (w.rule().protectLast && layers > 1) out.push_back(layers - 1);
    return out;
}

}  // namespace

LayerViews::LayerViews(Workspace& workspace, QWidget* parent)
    : QSplitter(Qt::Vertical, parent), m_workspace(workspace), m_heatmap(new HeatmapView(this)), m_chart(new ScoreChart(this)),
      m_tableModel(new LayerTableModel(this)) {
    setChildrenCollapsible(false);
    m_chartRefresh.setSingleShot(true);
    m_chartRefresh.setInterval(0);
    connect(&m_chartRefresh, &QTimer::timeout, this, &LayerViews::refreshChart);
    setStretchFactor(0, 1);
    setStretchFactor(1, 1);
    connect(&m_workspace, &Workspace::analysisChanged, this, &LayerViews::showAnalysis);
    connect(&m_workspace, &Workspace::metricChanged, this, &LayerViews::showPlan);
    connect(&m_workspace, &Workspace::planChanged, this, &LayerViews::showPlan);
    connect(&m_workspace, &Workspace::selectedLayerChanged, this, &LayerViews::showSelection);
    connect(m_heatmap, &HeatmapView::layerSelected, &m_workspace, &Workspace::setSelectedLayer);
    connect(m_heatmap, &HeatmapView::metricActivated, &m_workspace, &Workspace::setMetric);
    connect(m_chart, &ScoreChart::layerClicked, &m_workspace, &Workspace::setSelectedLayer);
    showAnalysis();
}

QTableView* LayerViews::createTable(QWidget* parent) {
    m_table = new QTableView(parent);
    m_table->setModel(m_tableModel);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setAlternatingRowColors(true);
    m_table->setObjectName(QStringLiteral("layerTable"));
    connect(m_table, &QTableView::clicked, this, [this](const QModelIndex& index) {
        m_workspace.setSelectedLayer(index.data(Qt::UserRole).toInt());
    });
    connect(m_table, &QObject::destroyed, this, [this] { m_table = nullptr; });
    return m_table;
}

void LayerViews::showAnalysis() {
    m_heatmap->setScores(m_workspace.analysis().scores);
    m_heatmap->setCurrentRowId(m_workspace.metric());
    showPlan();
    showSelection(m_workspace.selectedLayer());
}

void LayerViews::showPlan() {
    const auto& plan = m_workspace.plan();
    const std::vector<int> removed = plan ? plan->removed : std::vector<int>{};
    const auto protectedSet = protectedLayers(m_workspace);
    m_heatmap->setRemovedLayers(removed);
    m_heatmap->setCurrentRowId(m_workspace.metric());
    m_chartRefresh.start();  // one chart update per event-loop turn, however many signals came
    const auto* scores = m_workspace.scoresFor(m_workspace.metric());
    m_tableModel->setScores(scores ? std::optional<avss::LayerScores>(*scores) : std::nullopt, removed, protectedSet);
    showSelection(m_workspace.selectedLayer());
}

void LayerViews::refreshChart() {
    const auto& plan = m_workspace.plan();
    const std::vector<int> removed = plan ? plan->removed : std::vector<int>{};
    const bool byValue = m_workspace.rule().kind != avss::RuleKind::ReferenceCode;
    m_chart->setScores(m_workspace.scoresFor(m_workspace.metric()), ScoreChart::Plan{removed, protectedLayers(m_workspace), byValue});
    m_chart->setSelectedLayer(m_workspace.selectedLayer());
}

void LayerViews::showSelection(int layer) {
    m_heatmap->setSelectedLayer(layer);
    m_chart->setSelectedLayer(layer);
    if (!m_table) return;
    if (layer >= 0 && layer < m_tableModel->rowCount()) m_table->selectRow(layer);
    else m_table->clearSelection();
}

}  // namespace avss::ui
