// AttentionGrid painting: labels on the left (queries) and on top (keys, rotated), cells after them.
#include "widgets/attention_grid.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>

#include "render/colour_map.h"

namespace avss::ui {
namespace {

constexpr int kMinCell = 6, kMaxCell = 40, kGap = 4;

}  // namespace

AttentionGrid::AttentionGrid(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("attentionGrid"));
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void AttentionGrid::setPattern(std::vector<float> weights, QStringList labels, QString note) {
    const auto T = static_cast<std::size_t>(labels.size());
    m_note = std::move(note);
    if (weights.size() != T * T) weights.clear();
    m_weights = std::move(weights);
    m_labels = m_weights.empty() ? QStringList{} : std::move(labels);
    m_rowMax.assign(m_weights.empty() ? 0 : T, 0.0f);
    for (std::size_t q = 0; q < m_rowMax.size(); ++q) {
        m_rowMax[q] = *std::max_element(m_weights.begin() + static_cast<std::ptrdiff_t>(q * T), m_weights.begin() + static_cast<std::ptrdiff_t>((q + 1) * T));
    }
    updateGeometry();
    update();
}

float AttentionGrid::weightAt(int query, int key) const {
    return m_weights[static_cast<std::size_t>(query) * static_cast<std::size_t>(m_labels.size()) + static_cast<std::size_t>(key)];
}

int AttentionGrid::labelWidth() const {
    int w = 0;
    for (const auto& l : m_labels) w = std::max(w, fontMetrics().horizontalAdvance(l));
    return std::min(w, 140) + kGap;
}

int AttentionGrid::cellSize() const {
    const int n = std::max(1, static_cast<int>(m_labels.size()));
    const int room = std::min(width(), height()) - labelWidth();
    return std::clamp(room / n, kMinCell, kMaxCell);
}

QRect AttentionGrid::cellRect(int query, int key) const {
    const int c = cellSize(), origin = labelWidth();
    return {origin + key * c, origin + query * c, c, c};
}

QSize AttentionGrid::sizeHint() const {
    const int n = std::max(1, static_cast<int>(m_labels.size()));
    const int side = labelWidth() + n * std::min(kMaxCell, std::max(kMinCell, 400 / n));
    return {side, side};
}

void AttentionGrid::paintEvent(QPaintEvent*) {
    QPainter p(this);
    if (m_weights.empty()) {
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_note);
        return;
    }
    const int n = static_cast<int>(m_labels.size()), c = cellSize(), origin = labelWidth();
    for (int q = 0; q < n; ++q) {
        for (int k = 0; k < n; ++k) {
            const float w = weightAt(q, k), top = m_rowMax[static_cast<std::size_t>(q)];
            p.fillRect(cellRect(q, k), k > q ? palette().color(QPalette::Base) : viridis(top > 0 ? w / top : 0.0));
        }
    }
    const int text = fontMetrics().height();
    p.setPen(palette().color(QPalette::Text));
    for (int i = 0; i < n; ++i) {
        if (c < text - 2 && i % 2 == 1) continue;  // small cells: every other label
        const auto label = fontMetrics().elidedText(m_labels[i], Qt::ElideRight, origin - kGap);
        p.drawText(QRect(0, origin + i * c, origin - kGap, c), Qt::AlignRight | Qt::AlignVCenter, label);
        p.save();
        p.translate(origin + i * c + c / 2 + text / 3, origin - kGap);
        p.rotate(-90);
        p.drawText(0, 0, label);
        p.restore();
    }
}

bool AttentionGrid::event(QEvent* e) {
    if (e->type() != QEvent::ToolTip || m_weights.empty()) return QWidget::event(e);
    const auto pos = static_cast<QHelpEvent*>(e)->pos();
    const int c = cellSize(), origin = labelWidth(), n = static_cast<int>(m_labels.size());
    const int q = (pos.y() - origin) / c, k = (pos.x() - origin) / c;
    if (pos.x() < origin || pos.y() < origin || q >= n || k >= n || k > q) {
        QToolTip::hideText();
        return true;
    }
    QToolTip::showText(static_cast<QHelpEvent*>(e)->globalPos(),
                       tr("query %1 (position %2) → key %3 (position %4): weight %5")
                           .arg(m_labels[q]).arg(q).arg(m_labels[k]).arg(k).arg(static_cast<double>(weightAt(q, k)), 0, 'f', 4),
                       this);
    return true;
}

}  // namespace avss::ui
