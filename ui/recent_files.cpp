// Recent models in QSettings.
#include "recent_files.h"

#include <QSettings>

namespace avss::ui {

QStringList RecentFiles::list() const { return QSettings().value(QStringLiteral("recent/models")).toStringList(); }

void RecentFiles::add(const QString& path) {
    auto files = list();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > kMax) files.removeLast();
    QSettings().setValue(QStringLiteral("recent/models"), files);
}

}  // namespace avss::ui
