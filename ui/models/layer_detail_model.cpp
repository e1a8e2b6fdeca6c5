// LayerDetailModel: rows are the scored metrics in registry order, for one layer.
#include "models/layer_detail_model.h"

#include "models/layer_table_model.h"
#include "util/qt_convert.h"

namespace avss::ui {

void LayerDetailModel::setLayer(std::shared_ptr<const std::vector<avss::LayerScores>> scores, int layer) {
    beginResetModel();
    m_scores = std::move(scores);
    m_layer = layer;
    endResetModel();
}

int LayerDetailModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !m_scores || m_layer < 0 ? 0 : static_cast<int>(m_scores->size());
}

int LayerDetailModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LayerDetailModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const auto& s = (*m_scores)[static_cast<std::size_t>(index.row())];
    if (m_layer >= static_cast<int>(s.layers.size())) return {};
    const auto& l = s.layers[static_cast<std::size_t>(m_layer)];
    const auto& info = avss::findMetric(s.metric);
    if (role == Qt::ToolTipRole) return toQString(info.formula);
    if (role == Qt::UserRole) return toQString(s.metric);
    if (role == Qt::TextAlignmentRole && index.column() != Metric) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
        case Metric: return toQString(info.name);
        case Value: return displayNumber(l.value);
        case ShardSd: return displayNumber(l.sd);
        case Rank: return QStringLiteral("%1 / %2").arg(l.rank).arg(s.layers.size());
        case BottomFrequency: return info.usesData ? displayNumber(l.bottomFrequency) : QVariant(QStringLiteral("–"));
        default: return {};
    }
}

QVariant LayerDetailModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
        case Metric: return tr("Metric");
        case Value: return tr("Value");
        case ShardSd: return tr("Shard sd");
        case Rank: return tr("Rank");
        case BottomFrequency: return tr("In lowest set");
        default: return {};
    }
}

}  // namespace avss::ui
