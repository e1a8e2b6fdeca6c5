// Exports from the views: any widget (chart, heatmap) to PNG or SVG, any table model to CSV.
#pragma once

#include <QString>

class QAbstractItemModel;
class QWidget;

namespace avss::ui {

// Format from the extension: .png (at the screen's device-pixel ratio) or .svg (QSvgGenerator,
// vector where the widget paints vectors). Returns "" or the reason it failed.
QString saveWidgetImage(QWidget& widget, const QString& path);
QString saveTableCsv(const QAbstractItemModel& model, const QString& path);  // written atomically

// File dialogs around the two, reporting failures in a message box.
void exportWidgetInteractive(QWidget* parent, QWidget& widget, const QString& suggestedName);
void exportTableInteractive(QWidget* parent, const QAbstractItemModel& model, const QString& suggestedName);

}  // namespace avss::ui
