// The recently opened models (QSettings "recent/models"), most recent first, for File ▸ Open Recent.
#pragma once

#include <QStringList>

class QMenu;

namespace avss::ui {

class RecentFiles {
public:
    static constexpr int kMax = 8;
    QStringList list() const;
    void add(const QString& path);
    // Rebuilds `menu` with one action per file; choosing one calls open(path).
    template <class Open>
    void fillMenu(QMenu* menu, Open open) const;
};

}  // namespace avss::ui

#include <QAction>
#include <QDir>
#include <QMenu>

template <class Open>
void avss::ui::RecentFiles::fillMenu(QMenu* menu, Open open) const {
    menu->clear();
    const auto files = list();
    for (int i = 0; i < files.size(); ++i) {
        const QString path = files[i];
        auto* action = menu->addAction(QStringLiteral("&%1  %2").arg(i + 1).arg(QDir::toNativeSeparators(path)));
        QObject::connect(action, &QAction::triggered, menu, [open, path] { open(path); });
    }
    if (files.isEmpty()) menu->addAction(QObject::tr("(none yet)"))->setEnabled(false);
}
