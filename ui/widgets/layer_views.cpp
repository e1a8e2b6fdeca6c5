// Wiring of the heatmap, the score chart and the layer table to the Workspace.
#include "widgets/layer_views.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSignalBlocker>
#include <QTableView>
#include <QVBoxLayout>

#include "models/layer_table_model.h"
#include "util/qt_convert.h"
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
    : QSplitter(Qt::Vertical, parent), m_workspace(workspace), m_halluBar(new QWidget), m_halluChooser(new QComboBox(m_halluBar)),
      m_sideBox(new QWidget(m_halluBar)), m_sideChooser(new QComboBox(m_sideBox)), m_heatmap(new HeatmapView), m_chart(new ScoreChart),
      m_tableModel(new LayerTableModel(this)) {
    auto* pane = new QWidget(this);  // the chooser's bar above the heatmap: one splitter pane
    auto* paneLayout = new QVBoxLayout(pane);
    paneLayout->setContentsMargins(0, 0, 0, 0);
    paneLayout->setSpacing(2);
    auto* barLayout = new QHBoxLayout(m_halluBar);
    barLayout->setContentsMargins(6, 2, 6, 0);
    auto* label = new QLabel(tr("&Hallucination rows:"), m_halluBar);
    label->setBuddy(m_halluChooser);
    m_halluChooser->setObjectName(QStringLiteral("hallucinationChooser"));
    m_halluChooser->setToolTip(tr("Whose EAVSS, HSAV and HSS rows the heatmap shows: each pairs file analysed in the Mitigation panel"));
    m_halluChooser->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    barLayout->addWidget(label);
    barLayout->addWidget(m_halluChooser);
    auto* sideLayout = new QHBoxLayout(m_sideBox);
    sideLayout->setContentsMargins(12, 0, 0, 0);
    auto* sideLabel = new QLabel(tr("&Model:"), m_sideBox);
    sideLabel->setBuddy(m_sideChooser);
    m_sideChooser->setObjectName(QStringLiteral("sideChooser"));
    m_sideChooser->addItems({tr("original"), tr("tuned"), tr("tuned − original")});  // HeatmapSide order
    m_sideChooser->setToolTip(tr("The tuned model from the Mitigation panel, analysed on the same data and settings"));
    sideLayout->addWidget(sideLabel);
    sideLayout->addWidget(m_sideChooser);
    barLayout->addWidget(m_sideBox);
    barLayout->addStretch(1);
    paneLayout->addWidget(m_halluBar);
    paneLayout->addWidget(m_heatmap, 1);
    addWidget(pane);
    addWidget(m_chart);
    connect(m_halluChooser, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_workspace.setHallucinationSource(index > 0 ? m_halluChooser->itemText(index) : QString());
    });
    connect(m_sideChooser, &QComboBox::currentIndexChanged, this, &LayerViews::showOverlays);
    connect(&m_workspace, &Workspace::hallucinationChanged, this, &LayerViews::showOverlays);
    connect(&m_workspace, &Workspace::comparisonChanged, this, [this] {
        if (m_workspace.comparison() != nullptr) m_sideChooser->setCurrentIndex(static_cast<int>(HeatmapSide::Difference));  // what was asked for
        showOverlays();
    });
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

void LayerViews::showOverlays() {
    const QSignalBlocker quiet(m_halluChooser);  // rebuilding the list is not a choice
    m_halluChooser->clear();
    m_halluChooser->addItem(tr("none"));
    const QStringList sources = m_workspace.hallucinationSources();
    m_halluChooser->addItems(sources);
    const auto at = sources.indexOf(m_workspace.hallucinationSource());
    m_halluChooser->setCurrentIndex(at < 0 ? 0 : static_cast<int>(at) + 1);
    const auto* tuned = m_workspace.comparison();
    m_halluChooser->setEnabled(!sources.isEmpty());
    m_sideBox->setVisible(tuned != nullptr);
    m_halluBar->setVisible(!sources.isEmpty() || tuned != nullptr);
    m_heatmap->setHallucination(m_workspace.hallucination(), m_workspace.hallucinationSource());
    const bool sameSource = tuned != nullptr && tuned->halluSource == m_workspace.hallucinationSource();  // rows of one pairs file only
    m_heatmap->setComparison(tuned ? tuned->scores : nullptr, sameSource ? tuned->hallu : nullptr,
                             static_cast<HeatmapSide>(m_sideChooser->currentIndex()));
}

QTableView* LayerViews::createTable(QWidget* parent) {
    m_table = new QTableView(parent);
    auto* sorted = new QSortFilterProxyModel(m_table);  // click a header to sort; rows keep their layer
    sorted->setSourceModel(m_tableModel);
    sorted->setSortRole(LayerTableModel::SortRole);
    m_table->setModel(sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(LayerTableModel::Layer, Qt::AscendingOrder);
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
    QStringList kinds;  // the core's per-block traits, when blocks differ
    if (const auto& model = m_workspace.model(); model && model->info().hparams.mixedAttention()) {
        const auto& hp = model->info().hparams;
        for (int l = 0; l < hp.layers; ++l) kinds << toQString(hp.layer(l).attentionName() + " · " + hp.positionName(l));
    }
    m_heatmap->setLayerKinds(kinds);
    showOverlays();  // a comparison belongs to one analysis
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
    const auto* sorted = static_cast<const QSortFilterProxyModel*>(m_table->model());
    if (layer >= 0 && layer < m_tableModel->rowCount()) m_table->selectRow(sorted->mapFromSource(m_tableModel->index(layer, 0)).row());
    else m_table->clearSelection();
}

}  // namespace avss::ui
