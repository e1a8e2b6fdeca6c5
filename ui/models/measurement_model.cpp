// MeasurementModel: rows sorted by metric, then by the number of removed layers.
#include "models/measurement_model.h"

#include <QStringList>
#include <algorithm>

namespace avss::ui {

void MeasurementModel::setPoints(const std::vector<MeasuredPoint>& points) {
    beginResetModel();
    m_points = points;
    std::stable_sort(m_points.begin(), m_points.end(), [](const MeasuredPoint& a, const MeasuredPoint& b) {
        if (a.metric != b.metric) return a.metric < b.metric;
        return a.task != b.task ? a.task < b.task : a.removed.size() < b.removed.size();
    });
    endResetModel();
}

int MeasurementModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(m_points.size()); }

int MeasurementModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant MeasurementModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const auto& p = m_points[static_cast<std::size_t>(index.row())];
    if (role == Qt::ToolTipRole) {
        const QString scored = p.isTask() ? QStringLiteral("\n%1 (first %2 items); chance %3").arg(p.taskFile).arg(p.taskLimit).arg(p.floor, 0, 'f', 4)
                                          : QString();
        return p.rule + scored + (p.note.isEmpty() ? QString() : QStringLiteral("\n") + p.note);
    }
    if (role == Qt::TextAlignmentRole && index.column() != Metric && index.column() != Blocks && index.column() != Scored &&
        index.column() != Note) {
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role != Qt::DisplayRole) return {};
    QStringList blocks;
    for (int l : p.removed) blocks << QString::number(l);
    switch (index.column()) {
        case Metric: return p.metric;
        case Removed: return static_cast<int>(p.removed.size());
        case Blocks: return blocks.join(QLatin1Char(' '));
        case Scored: return p.isTask() ? QStringLiteral("%1 %2 (%3 items)").arg(p.task, p.taskMetric).arg(p.items) : tr("held-out PPL");
        case Dense: return QString::number(p.isTask() ? p.denseScore : p.densePerplexity(), 'f', p.isTask() ? 4 : 3);
        case Pruned: return QString::number(p.isTask() ? p.prunedScore : p.prunedPerplexity(), 'f', p.isTask() ? 4 : 3);
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
        case Scored: return tr("Scored by");
        case Dense: return tr("Dense");
        case Pruned: return tr("Pruned");
        case Retention: return tr("Retention");
        case Note: return tr("Note");
        default: return {};
    }
}

}  // namespace avss::ui
