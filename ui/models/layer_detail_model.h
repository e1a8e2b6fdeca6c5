// One layer under every metric: value, shard spread, rank and lowest-set frequency (layer detail panel).
#pragma once

#include <QAbstractTableModel>
#include <memory>
#include <vector>

#include "avss/layer_scores.h"

namespace avss::ui {

class LayerDetailModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Metric, Value, ShardSd, Rank, BottomFrequency, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    void setLayer(std::shared_ptr<const std::vector<avss::LayerScores>> scores, int layer);  // layer −1: empty

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const std::vector<avss::LayerScores>> m_scores;
    int m_layer = -1;
};

}  // namespace avss::ui
