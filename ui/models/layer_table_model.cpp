// LayerTableModel: a read-only view over a LayerScores value.
#include "models/layer_table_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace avss::ui {

QVariant displayNumber(double value) {
    if (std::isnan(value)) return QStringLiteral("n/a");
    return QString::number(value, 'g', 5);
}

void LayerTableModel::setScores(const std::optional<avss::LayerScores>& scores, const std::vector<int>& removed,
                                const std::vector<int>& protectedLayers) {
    beginResetModel();
    m_scores = scores;
    m_removed = removed;
    m_protected = protectedLayers;
    endResetModel();
}

int LayerTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !m_scores ? 0 : static_cast<int>(m_scores->layers.size());
}

int LayerTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LayerTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || !m_scores || index.row() >= rowCount()) return {};
    const auto& l = m_scores->layers[static_cast<std::size_t>(index.row())];
    const bool removed = std::find(m_removed.begin(), m_removed.end(), l.layer) != m_removed.end();
    const bool isProtected = std::find(m_protected.begin(), m_protected.end(), l.layer) != m_protected.end();
    if (role == Qt::TextAlignmentRole) return index.column() == PlanColumn ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::UserRole) return l.layer;  // the layer a row shows, for selection sync
    const auto& guarded = m_scores->guardedLayers;
    const bool bound = std::find(guarded.begin(), guarded.end(), l.layer) != guarded.end();
    if (role == Qt::ToolTipRole && bound && (index.column() == Value || index.column() == Bound)) {
        return tr("At least this large: %1").arg(QString::fromStdString(m_scores->guardNote));
    }
    if (role == SortRole) {
        const auto number = [](double v) { return std::isnan(v) ? std::numeric_limits<double>::infinity() : v; };
        switch (index.column()) {
            case Layer: return l.layer;
            case Value: return number(l.value);
            case ShardMean: return number(l.mean);
            case ShardSd: return number(l.sd);
            case Rank: return l.rank;
            case BottomFrequency: return number(l.bottomFrequency);
            default: break;  // text columns sort by their text
        }
        role = Qt::DisplayRole;
    }
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
        case Layer: return l.layer;
        case Value: return displayNumber(l.value);
        case Bound: return bound ? QStringLiteral("≥ (lower bound)") : QString();
        case ShardMean: return displayNumber(l.mean);
        case ShardSd: return displayNumber(l.sd);
        case Rank: return l.rank;
        case BottomFrequency: return displayNumber(l.bottomFrequency);
        case PlanColumn: return removed ? tr("removed") : isProtected ? tr("protected") : tr("kept");
        default: return {};
    }
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
        case Layer: return tr("Layer");
        case Value: return tr("Value");
        case Bound: return tr("Bound");
        case ShardMean: return tr("Shard mean");
        case ShardSd: return tr("Shard sd");
        case Rank: return tr("Rank");
        case BottomFrequency: return tr("In lowest set");
        case PlanColumn: return tr("Plan");
        default: return {};
    }
}

}  // namespace avss::ui
