// The measured what-if points as a table (prune panel; CSV export): held-out perplexity or a task's
// primary metric, dense and pruned.
#pragma once

#include <QAbstractTableModel>
#include <vector>

#include "measurement_book.h"

namespace avss::ui {

class MeasurementModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Metric, Removed, Blocks, Scored, Dense, Pruned, Retention, Note, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    void setPoints(const std::vector<MeasuredPoint>& points);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<MeasuredPoint> m_points;
};

}  // namespace avss::ui
