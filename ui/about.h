// Versions of the application and of what it runs on: --version and Help ▸ About.
#pragma once

#include <QString>

class QWidget;

namespace avss::ui {

QString versionReport();             // plain text, one "name: version" line each; needs no QApplication
void showAboutDialog(QWidget* parent);

}  // namespace avss::ui
