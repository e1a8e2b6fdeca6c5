// One metric's scores as a table: a row per layer with value, whether the value is only a lower
// bound (the core's zero-sparsity guard), shard mean and sd, rank, how often the layer is in a
// shard's lowest set, and what the current plan does with it.
#pragma once

#include <QAbstractTableModel>
#include <optional>
#include <vector>

#include "avss/layer_scores.h"

namespace avss::ui {

class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Layer, Value, Bound, ShardMean, ShardSd, Rank, BottomFrequency, PlanColumn, ColumnCount };
    static constexpr int SortRole = Qt::UserRole + 1;  // numbers as numbers (NaN last), text as text
    using QAbstractTableModel::QAbstractTableModel;

    void setScores(const std::optional<avss::LayerScores>& scores, const std::vector<int>& removed,
                   const std::vector<int>& protectedLayers);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::optional<avss::LayerScores> m_scores;
    std::vector<int> m_removed, m_protected;
};

// Shared number formatting of the tables: 5 significant digits, "n/a" for NaN.
QVariant displayNumber(double value);

}  // namespace avss::ui
