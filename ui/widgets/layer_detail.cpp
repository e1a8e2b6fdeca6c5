// Layer detail panel: a metric table (click a row to choose that metric) and the layer's statistics.
#include "widgets/layer_detail.h"

#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "models/layer_detail_model.h"
#include "util/qt_convert.h"
#include "workspace.h"

namespace avss::ui {
namespace {

QString number(double v) { return QString::number(v, 'g', 4); }

QString share(std::int64_t count, double elements) { return elements > 0 ? number(static_cast<double>(count) / elements) : QStringLiteral("n/a"); }

// One column of the statistics table for an observation site.
QStringList siteColumn(const avss::SiteStats& s, const avss::StatsSettings& settings) {
    QStringList cells;
    if (s.empty()) {
        for (int i = 0; i < 3 + static_cast<int>(settings.absThresholds.size() + settings.relThresholds.size()); ++i) cells << QStringLiteral("–");
        return cells;
    }
    cells << QString::number(s.width()) << number(s.channelVariance()) << number(s.hoyerSum / static_cast<double>(s.tokens));
    for (std::size_t k = 0; k < settings.absThresholds.size(); ++k) cells << share(s.nearZeroAbs[k], s.elements());
    for (std::size_t k = 0; k < settings.relThresholds.size(); ++k) cells << share(s.nearZeroRel[k], s.elements());
    return cells;
}

QString statisticsHtml(const avss::LayerStats& l, const avss::StatsSettings& settings) {
    QStringList rows{QObject::tr("width"), QObject::tr("variance σ² (channel mean)"), QObject::tr("Hoyer sparsity (mean)")};
    for (double t : settings.absThresholds) rows << QObject::tr("share |a| < %1").arg(t);
    for (double t : settings.relThresholds) rows << QObject::tr("share |a| < %1·RMS").arg(t);
    const auto block = siteColumn(l.blockOut, settings), mlp = siteColumn(l.mlpAct, settings);
    QString html = QStringLiteral("<table cellspacing='0' cellpadding='2'><tr><th align='left'>%1</th><th align='right'>block_out</th>"
                                  "<th align='right'>mlp_act</th></tr>")
                       .arg(QObject::tr("statistic"));
    for (int i = 0; i < rows.size(); ++i) {
        html += QStringLiteral("<tr><td>%1</td><td align='right'>%2</td><td align='right'>%3</td></tr>").arg(rows[i].toHtmlEscaped(), block[i], mlp[i]);
    }
    const auto& t = l.transition;
    if (t.tokens > 0) {
        const double n = static_cast<double>(t.tokens);
        html += QStringLiteral("<tr><td>%1</td><td colspan='2' align='right'>%2</td></tr>").arg(QObject::tr("mean cos(in, out)"), number(t.cosSum / n));
        html += QStringLiteral("<tr><td>%1</td><td colspan='2' align='right'>%2</td></tr>").arg(QObject::tr("mean angle / π"), number(t.angleSum / n));
        html += QStringLiteral("<tr><td>%1</td><td colspan='2' align='right'>%2</td></tr>").arg(QObject::tr("mean ‖out − in‖ / ‖in‖").toHtmlEscaped(), number(t.relUpdateSum / n));
    }
    html += QStringLiteral("<tr><td>%1</td><td colspan='2' align='right'>%2</td></tr>").arg(QObject::tr("tokens"), QString::number(l.blockOut.tokens));
    return html + QStringLiteral("</table>");
}

}  // namespace

LayerDetail::LayerDetail(Workspace& workspace, QWidget* parent)
    : QWidget(parent), m_workspace(workspace), m_header(new QLabel(this)), m_table(new QTableView(this)),
      m_model(new LayerDetailModel(this)), m_stats(new QLabel(this)) {
    auto* layout = new QVBoxLayout(this);
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(LayerDetailModel::Metric, QHeaderView::Stretch);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->verticalHeader()->setDefaultSectionSize(QFontMetrics(font()).height() + 6);
    m_stats->setTextFormat(Qt::RichText);
    m_stats->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stats->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    auto* statsScroll = new QScrollArea(this);
    statsScroll->setWidget(m_stats);
    statsScroll->setWidgetResizable(true);
    statsScroll->setFrameShape(QFrame::NoFrame);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(statsScroll);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    m_table->setMinimumHeight(80);
    statsScroll->setMinimumHeight(80);
    layout->addWidget(m_header);
    layout->addWidget(split, 1);
    connect(m_table, &QTableView::clicked, this, [this](const QModelIndex& index) {
        m_workspace.setMetric(index.data(Qt::UserRole).toString());
    });
    connect(&m_workspace, &Workspace::analysisChanged, this, &LayerDetail::refresh);
    connect(&m_workspace, &Workspace::selectedLayerChanged, this, &LayerDetail::refresh);
    connect(&m_workspace, &Workspace::planChanged, this, &LayerDetail::refresh);
    refresh();
}

void LayerDetail::refresh() {
    const int layer = m_workspace.selectedLayer();
    const auto& analysis = m_workspace.analysis();
    if (!m_workspace.hasAnalysis() || layer < 0) {
        m_header->setText(tr("<i>Select a layer in the heatmap or the chart (click, or arrow keys).</i>"));
        m_model->setLayer(nullptr, -1);
        m_stats->clear();
        return;
    }
    const QString fate = m_workspace.isRemoved(layer) ? tr("<span style='color:#d62728'><b>removed</b> by the current plan</span>")
                                                      : tr("kept by the current plan");
    QString traits;
    if (const auto& model = m_workspace.model(); model && layer < model->info().hparams.layers) {
        const auto& hp = model->info().hparams;
        const auto t = hp.layer(layer);  // the core's per-layer traits
        traits = tr("<br>attention: %1 · %2 · %3 query / %4 key-value heads of %5")
                     .arg(toQString(t.attentionName()), toQString(hp.positionName(layer)).toHtmlEscaped())
                     .arg(hp.heads)
                     .arg(hp.kvHeads)
                     .arg(hp.headDim);
    }
    m_header->setText(tr("<b>Layer %1</b> of %2 · %3%4").arg(layer).arg(analysis.stats->layerCount()).arg(fate, traits));
    m_model->setLayer(analysis.scores, layer);
    const auto& settings = analysis.stats->provenance.options.settings;
    m_stats->setText(statisticsHtml(analysis.merged->layers[static_cast<std::size_t>(layer)], settings));
}

}  // namespace avss::ui
