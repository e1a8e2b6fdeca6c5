// Any table model → CSV text (RFC 4180 quoting), for File ▸ Export.
#pragma once

#include <QAbstractItemModel>
#include <QString>

namespace avss::ui {

// Header row from the horizontal headers, then every row's DisplayRole text.
QString tableToCsv(const QAbstractItemModel& model);

}  // namespace avss::ui
