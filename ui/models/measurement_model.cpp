// MeasurementModel: rows sorted by metric, then by the number of removed layers.
#include "models/measurement_model.h"

#include <QStringList>
#include <algorithm>

namespace avss::ui {

void MeasurementModel::setPoints(const std::vector<MeasuredPoint>& points) {
    beginResetModel();
    m_points = points;
    std::stable_sort(m_points.begin(), m_points.end(), [](const MeasuredPoint& a, const MeasuredPoint& b) {
        return a.metric != b.metric ? a.metric < b.metric : a.removed.size() < b.removed.size();
    });
    endResetModel();
}

int MeasurementModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(m_points.size()); }

int MeasurementModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant MeasurementModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const auto& p = m_points[static_cast<std::size_t>(index.row())];
    if (role == Qt::ToolTipRole) return p.rule + (p.note.isEmpty() ? QString() : QStringLiteral("\n") + p.note);
    if (role == Qt::TextAlignmentRole && index.column() != Metric && index.column() != Blocks && index.column() != Note) {
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role != Qt::DisplayRole) return {};
    QStringList blocks;
    for (int l : p.removed) blocks << QString::number(l);
    switch (index.column()) {
        case Metric: return p.metric;
        case Removed: return static_cast<int>(p.removed.size());
        case Blocks: return blocks.join(QLatin1Char(' '));
        case DensePpl: return QString::number(p.densePerplexity(), 'f', 3);
        case PrunedPpl: return QString::number(p.prunedPerplexity(), 'f', 3);
        case Retention: return QString::number(p.retention(), 'f', 4);
        case Note: return p.note;
        default: return {};
    }
}

QVariant MeasurementModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
        case Metric: return tr("Metric");
        case Removed: return tr("Removed");
        case Blocks: return tr("Blocks");
        case DensePpl: return tr("PPL dense");
        case PrunedPpl: return tr("PPL pruned");
        case Retention: return tr("Retention");
        case Note: return tr("Note");
        default: return {};
    }
}

}  // namespace avss::ui
