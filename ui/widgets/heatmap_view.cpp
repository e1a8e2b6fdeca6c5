// Painting and interaction of the heatmap. Everything is laid out in logical pixels; the cell image
// (one pixel per cell) is scaled without smoothing, so the view stays crisp at any device-pixel ratio.
#include "widgets/heatmap_view.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "metrics_explained.h"
#include "render/colour_map.h"

namespace avss::ui {
namespace {

constexpr double kMarkHeight = 18;    // removed-layer markers above the cells
constexpr double kAxisHeight = 22;    // layer numbers below the cells
constexpr double kLegendHeight = 62;  // colour bar and two lines of captions
constexpr double kMaxCellHeight = 34;
const QColor kRemovedMark(0xd6, 0x27, 0x28);

QString formatValue(double v) {
    if (std::isnan(v)) return QStringLiteral("n/a");
    if (std::isinf(v)) return v > 0 ? QStringLiteral("+∞") : QStringLiteral("−∞");
    return QString::number(v, 'g', 5);
}

}  // namespace

HeatmapView::HeatmapView(QWidget* parent) : QWidget(parent) {
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(true);
    setAccessibleName(tr("Per-layer heatmap"));
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
}

void HeatmapView::setScores(std::shared_ptr<const std::vector<avss::LayerScores>> scores) {
    m_scores = std::move(scores);
    rebuild();
}

void HeatmapView::setHallucination(std::shared_ptr<const avss::HalluScores> scores, const QString& source) {
    m_hallu = std::move(scores);
    m_halluSource = source;
    rebuild();
}

void HeatmapView::setComparison(std::shared_ptr<const std::vector<avss::LayerScores>> tuned,
                                std::shared_ptr<const avss::HalluScores> tunedHallu, HeatmapSide side) {
    m_tuned = std::move(tuned);
    m_tunedHallu = std::move(tunedHallu);
    m_side = side;
    rebuild();
}

void HeatmapView::setScale(HeatmapScale scale) {
    m_scale = scale;
    rebuild();
}

HeatmapGrid HeatmapView::gridOf(const std::shared_ptr<const std::vector<avss::LayerScores>>& scores,
                                const std::shared_ptr<const avss::HalluScores>& hallu) const {
    HeatmapGrid grid = scores ? buildHeatmapGrid(*scores, m_scale) : HeatmapGrid{};
    if (hallu) appendHallucinationRows(grid, *hallu, m_halluSource, m_scale);
    return grid;
}

void HeatmapView::rebuild() {
    switch (side()) {
        case HeatmapSide::Original: m_grid = gridOf(m_scores, m_hallu); break;
        case HeatmapSide::Tuned: m_grid = gridOf(m_tuned, m_tunedHallu); break;
        case HeatmapSide::Difference: m_grid = differenceGrid(gridOf(m_scores, m_hallu), gridOf(m_tuned, m_tunedHallu), m_scale); break;
    }
    m_cells = renderHeatmapCells(m_grid);
    m_layer = std::min(m_layer, m_grid.layers - 1);
    m_row = std::min(m_row, static_cast<int>(m_grid.rows.size()) - 1);
    update();
}

void HeatmapView::setLayerKinds(const QStringList& kinds) { m_layerKinds = kinds; }

void HeatmapView::setRemovedLayers(const std::vector<int>& removed) {
    m_removed = removed;
    update();
}

void HeatmapView::setSelectedLayer(int layer) {
    if (layer == m_layer) return;
    m_layer = layer;
    update();
}

void HeatmapView::setCurrentRowId(const QString& id) {
    const bool onThatMetric = m_row >= 0 && m_grid.rows[static_cast<std::size_t>(m_row)].metricId == id;
    if (onThatMetric) return;  // a component row of the metric stays current
    const int row = m_grid.rowOf(id);
    if (row < 0 || row == m_row) return;
    m_row = row;
    update();
}

HeatmapView::Geometry HeatmapView::geometry() const {
    QFont bold = font();
    bold.setBold(true);  // the current row's label is bold
    const QFontMetricsF fm(bold);
    double labelWidth = 0;
    for (const auto& row : m_grid.rows) labelWidth = std::max(labelWidth, fm.horizontalAdvance(row.label));
    Geometry g;
    g.labelWidth = std::min(labelWidth, std::max(120.0, width() * 0.38));  // long names are elided in narrow windows
    labelWidth = g.labelWidth;
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.8);
    g.tagWidth = QFontMetricsF(small).horizontalAdvance(QStringLiteral("log")) + 6;
    const double left = labelWidth + g.tagWidth + 12, right = 12, top = kMarkHeight + 6;
    const double rows = std::max<double>(1, static_cast<double>(m_grid.rows.size()));
    const double available = height() - top - kAxisHeight - kLegendHeight - 8;
    g.cellHeight = std::clamp(available / rows, 8.0, kMaxCellHeight);
    g.cellWidth = std::max(4.0, (width() - left - right) / std::max(1, m_grid.layers));
    g.cells = QRectF(left, top, g.cellWidth * m_grid.layers, g.cellHeight * rows);
    g.legend = QRectF(8, g.cells.bottom() + kAxisHeight + 4, width() - 16, kLegendHeight - 6);
    return g;
}

QRectF HeatmapView::cellRect(const Geometry& g, int row, int layer) const {
    return {g.cells.left() + layer * g.cellWidth, g.cells.top() + row * g.cellHeight, g.cellWidth, g.cellHeight};
}

bool HeatmapView::cellAt(const QPointF& pos, int* row, int* layer) const {
    const auto g = geometry();
    if (m_grid.rows.empty() || !g.cells.contains(pos)) return false;
    *layer = std::clamp(static_cast<int>((pos.x() - g.cells.left()) / g.cellWidth), 0, m_grid.layers - 1);
    *row = std::clamp(static_cast<int>((pos.y() - g.cells.top()) / g.cellHeight), 0, static_cast<int>(m_grid.rows.size()) - 1);
    return true;
}

void HeatmapView::setPlaceholder(const QString& text) {
    if (text == m_placeholder) return;
    m_placeholder = text;
    if (m_grid.rows.empty()) update();
}

void HeatmapView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    if (m_grid.rows.empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                   m_placeholder.isEmpty() ? tr("No analysis yet.\nOpen a model, choose calibration data and press Analyse (F5).")
                                           : m_placeholder);
        return;
    }
    const auto g = geometry();
    p.setRenderHint(QPainter::SmoothPixmapTransform, false);  // cells stay sharp-edged when scaled
    p.drawImage(g.cells, m_cells);
    paintMarks(p, g);
    paintLabels(p, g);
    paintLegend(p, g);
}

void HeatmapView::paintMarks(QPainter& p, const Geometry& g) const {
    p.setRenderHint(QPainter::Antialiasing, true);
    const int rows = static_cast<int>(m_grid.rows.size());
    for (int layer : m_removed) {
        if (layer < 0 || layer >= m_grid.layers) continue;
        const QRectF column(g.cells.left() + layer * g.cellWidth, g.cells.top(), g.cellWidth, g.cells.height());
        p.fillRect(column, QBrush(QColor(255, 255, 255, 150), Qt::BDiagPattern));
        const double cx = column.center().x(), w = std::min(g.cellWidth * 0.7, 14.0);
        QPainterPath arrow;  // ▼ above the column: "the plan removes this layer"
        arrow.moveTo(cx - w / 2, g.cells.top() - kMarkHeight + 2);
        arrow.lineTo(cx + w / 2, g.cells.top() - kMarkHeight + 2);
        arrow.lineTo(cx, g.cells.top() - 4);
        arrow.closeSubpath();
        p.fillPath(arrow, kRemovedMark);
    }
    const QColor highlight = palette().color(QPalette::Highlight);
    if (m_layer >= 0 && m_layer < m_grid.layers) {
        p.setPen(QPen(palette().color(QPalette::Text), 1.5));
        p.setBrush(Qt::NoBrush);
        p.drawRect(QRectF(g.cells.left() + m_layer * g.cellWidth, g.cells.top(), g.cellWidth, g.cells.height()));
        if (m_row >= 0 && m_row < rows) {
            p.setPen(QPen(Qt::white, 3));
            p.drawRect(cellRect(g, m_row, m_layer).adjusted(1.5, 1.5, -1.5, -1.5));
            p.setPen(QPen(Qt::black, 1.5));
            p.drawRect(cellRect(g, m_row, m_layer).adjusted(0.5, 0.5, -0.5, -0.5));
        }
    }
    if (m_hoverRow >= 0 && m_hoverLayer >= 0) {
        p.setPen(QPen(highlight, 1.5, Qt::DotLine));
        p.drawRect(cellRect(g, m_hoverRow, m_hoverLayer));
    }
}

void HeatmapView::paintLabels(QPainter& p, const Geometry& g) const {
    const QFontMetricsF fm(font());
    for (int r = 0; r < static_cast<int>(m_grid.rows.size()); ++r) {
        const auto& row = m_grid.rows[static_cast<std::size_t>(r)];
        QFont f = font();
        f.setBold(r == m_row);
        f.setItalic(!row.isMetric && !row.isHallucination);
        p.setFont(f);
        p.setPen(palette().color(row.isMetric || row.isHallucination ? QPalette::Text : QPalette::PlaceholderText));
        const QRectF label(0, g.cells.top() + r * g.cellHeight, g.cells.left() - 6 - g.tagWidth, g.cellHeight);
        p.drawText(label, Qt::AlignRight | Qt::AlignVCenter, QFontMetricsF(f).elidedText(row.label, Qt::ElideMiddle, g.labelWidth));
        if (row.logColour) {
            QFont small = font();
            small.setPointSizeF(font().pointSizeF() * 0.8);
            p.setFont(small);
            p.setPen(palette().color(QPalette::PlaceholderText));
            p.drawText(QRectF(label.right() + 2, label.top(), g.tagWidth, g.cellHeight), Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("log"));
        }
    }
    p.setFont(font());
    p.setPen(palette().color(QPalette::Text));
    const int step = std::max(1, static_cast<int>(std::ceil(fm.horizontalAdvance(QStringLiteral("888")) / g.cellWidth)));
    for (int l = 0; l < m_grid.layers; l += step) {
        const QRectF cell(g.cells.left() + l * g.cellWidth - 10, g.cells.bottom() + 2, g.cellWidth + 20, kAxisHeight - 4);
        QFont f = font();
        f.setBold(l == m_layer);
        p.setFont(f);
        p.drawText(cell, Qt::AlignHCenter | Qt::AlignTop, QString::number(l));
    }
    p.setFont(font());
    p.drawText(QRectF(0, g.cells.bottom() + 2, g.cells.left() - 8, kAxisHeight - 4), Qt::AlignRight | Qt::AlignTop, tr("layer"));
}

void HeatmapView::paintLegend(QPainter& p, const Geometry& g) const {
    const QFontMetricsF fm(font());
    const double line = fm.height() + 4;
    double x = g.legend.left();
    const double y = g.legend.top();
    auto caption = [&](const QString& text) {
        p.drawText(QRectF(x, y, fm.horizontalAdvance(text) + 2, line), Qt::AlignLeft | Qt::AlignVCenter, text);
        x += fm.horizontalAdvance(text) + 6;
    };
    auto swatch = [&](const QColor& colour, bool hatched) {
        const QRectF box(x, y + (line - 14) / 2, 14, 14);
        p.fillRect(box, colour);
        if (hatched) p.fillRect(box, QBrush(QColor(255, 255, 255, 150), Qt::BDiagPattern));
        p.drawRect(box);
        x += 20;
    };
    p.setPen(palette().color(QPalette::Text));
    const bool difference = side() == HeatmapSide::Difference;
    caption(difference ? tr("decreased") : tr("pruned first"));
    const QRectF bar(x, y + (line - 14) / 2, std::min(220.0, g.legend.width() / 4), 14);
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    p.drawImage(bar, viridisBar(256));
    p.drawRect(bar);
    x = bar.right() + 6;
    caption(difference ? tr("increased") : tr("kept"));
    x += 14;
    swatch(missingValueColour(), false);
    caption(tr("not finite"));
    x += 14;
    swatch(viridis(0.45), true);
    caption(tr("removed by the plan (▼)"));
    const QString scale = m_scale == HeatmapScale::Rank
                              ? tr("Colour: prune rank within each row.")
                              : tr("Colour: min–max of each row's values (of log10 on rows marked 'log').");
    QString text = scale + QLatin1Char(' ') + tr("Metric rows: dark = pruned first.");
    if (!m_grid.rows.empty() && !m_grid.rows.front().isMetric && !m_grid.rows.front().isHallucination) {
        text += QLatin1Char(' ') + tr("Italic rows: components of %1 (bright = high).").arg(m_grid.rows.front().metricId);
    }
    if (m_hallu) text += QLatin1Char(' ') + tr("EAVSS, HSAV, HSS rows: bright = more hallucination-prone; double-click a column to train that layer.");
    if (side() == HeatmapSide::Tuned) text = tr("The tuned model's rows.") + QLatin1Char(' ') + text;
    if (side() == HeatmapSide::Difference) {
        text = m_scale == HeatmapScale::Rank
                   ? tr("Δ rows: tuned − original per layer, coloured by the rank of each row's differences (bright = increased most).")
                   : tr("Δ rows: tuned − original per layer, coloured by Δ / max |Δ| of each row: the middle colour = unchanged, bright = increased.");
    }
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(QRectF(g.legend.left(), y + line, g.legend.width(), g.legend.height() - line), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, text);
}

QString HeatmapView::toolTipFor(int row, int layer) const {
    const auto& r = m_grid.rows[static_cast<std::size_t>(row)];
    const auto i = static_cast<std::size_t>(layer);
    const bool bound = i < r.lowerBound.size() && r.lowerBound[i];
    QString text = QStringLiteral("<b>%1</b><br>layer %2<br>value: %3%4")
                       .arg(r.label.toHtmlEscaped())
                       .arg(layer)
                       .arg(bound ? QStringLiteral("≥ ") : QString(), formatValue(r.values[i]));
    if (bound) text += tr("<br><i>a lower bound: %1</i>").arg(r.boundNote.toHtmlEscaped());
    if (r.logColour) text += tr(" <small>(colour on a log scale)</small>");
    if (r.isDifference) {
        text += tr("<br><i>tuned − original</i>");
    } else if (r.isMetric || r.isHallucination) {
        text += r.isMetric ? tr("<br>rank: %1 of %2 (0 = pruned first)").arg(r.rank[i]).arg(m_grid.layers)
                           : tr("<br>rank: %1 of %2 (0 = most hallucination-prone)").arg(r.rank[i]).arg(m_grid.layers);
        text += tr("<br>shard spread (sd): %1").arg(formatValue(r.sd[i]));
    }
    if (r.isHallucination && m_hallu) {
        const auto& sel = m_hallu->selected;
        if (std::find(sel.begin(), sel.end(), layer) != sel.end()) text += tr("<br><i>among the top %1 (selected for mitigation)</i>").arg(sel.size());
    }
    if (std::find(m_removed.begin(), m_removed.end(), layer) != m_removed.end()) text += tr("<br><i>removed by the current plan</i>");
    if (layer < m_layerKinds.size()) text += tr("<br>attention: %1").arg(m_layerKinds[layer].toHtmlEscaped());
    return text;
}

int HeatmapView::labelRowAt(const QPointF& pos) const {
    const auto g = geometry();
    if (m_grid.rows.empty() || pos.x() >= g.cells.left() || pos.y() < g.cells.top() || pos.y() >= g.cells.bottom()) return -1;
    return std::clamp(static_cast<int>((pos.y() - g.cells.top()) / g.cellHeight), 0, static_cast<int>(m_grid.rows.size()) - 1);
}

// A row label's tooltip: the metric explained (Help ▸ Metrics explained's text for it).
QString HeatmapView::labelToolTip(int row) const {
    const auto& r = m_grid.rows[static_cast<std::size_t>(row)];
    if (r.metricId.isEmpty()) return QStringLiteral("<b>%1</b>").arg(r.label.toHtmlEscaped());
    const QString part = r.isMetric ? QString() : tr("<i>A component of this metric:</i><br>");
    return part + metricTooltip(r.metricId);
}

bool HeatmapView::event(QEvent* e) {
    if (e->type() == QEvent::ToolTip) {
        auto* help = static_cast<QHelpEvent*>(e);
        int row = 0, layer = 0;
        if (cellAt(help->pos(), &row, &layer)) QToolTip::showText(help->globalPos(), toolTipFor(row, layer), this);
        else if (const int r = labelRowAt(help->pos()); r >= 0) QToolTip::showText(help->globalPos(), labelToolTip(r), this);
        else QToolTip::hideText();
        return true;
    }
    return QWidget::event(e);
}

void HeatmapView::mousePressEvent(QMouseEvent* e) {
    int row = 0, layer = 0;
    if (e->button() == Qt::LeftButton && cellAt(e->position(), &row, &layer)) moveTo(row, layer);
    QWidget::mousePressEvent(e);
}

void HeatmapView::mouseDoubleClickEvent(QMouseEvent* e) {
    int row = 0, layer = 0;
    if (e->button() == Qt::LeftButton && cellAt(e->position(), &row, &layer)) Q_EMIT layerActivated(layer);
    QWidget::mouseDoubleClickEvent(e);
}

void HeatmapView::mouseMoveEvent(QMouseEvent* e) {
    int row = -1, layer = -1;
    if (!cellAt(e->position(), &row, &layer)) row = layer = -1;
    if (row != m_hoverRow || layer != m_hoverLayer) {
        m_hoverRow = row;
        m_hoverLayer = layer;
        update();
    }
}

void HeatmapView::leaveEvent(QEvent* e) {
    m_hoverRow = m_hoverLayer = -1;
    update();
    QWidget::leaveEvent(e);
}

void HeatmapView::keyPressEvent(QKeyEvent* e) {
    if (m_grid.rows.empty()) return QWidget::keyPressEvent(e);
    const int row = std::max(m_row, 0), layer = std::max(m_layer, 0);
    switch (e->key()) {
        case Qt::Key_Left: moveTo(row, layer - 1); break;
        case Qt::Key_Right: moveTo(row, layer + 1); break;
        case Qt::Key_Up: moveTo(row - 1, layer); break;
        case Qt::Key_Down: moveTo(row + 1, layer); break;
        case Qt::Key_Home: moveTo(row, 0); break;
        case Qt::Key_End: moveTo(row, m_grid.layers - 1); break;
        default: QWidget::keyPressEvent(e); return;
    }
    e->accept();
}

void HeatmapView::moveTo(int row, int layer) {
    row = std::clamp(row, 0, static_cast<int>(m_grid.rows.size()) - 1);
    layer = std::clamp(layer, 0, m_grid.layers - 1);
    const bool rowChanged = row != m_row, layerChanged = layer != m_layer;
    m_row = row;
    m_layer = layer;
    update();
    if (layerChanged) Q_EMIT layerSelected(layer);
    const QString& metric = m_grid.rows[static_cast<std::size_t>(row)].metricId;
    if (rowChanged && !metric.isEmpty()) Q_EMIT metricActivated(metric);  // hallucination rows choose no pruning metric
}

}  // namespace avss::ui
