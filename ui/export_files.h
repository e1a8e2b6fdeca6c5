// Exports from the views: any widget (chart, heatmap) to PNG or SVG, any table model to CSV.
#pragma once

#include <QString>

class QAbstractItemModel;
class QWidget;

namespace avss {
struct SweepResult;
}

namespace avss::ui {

// Format from the extension: .png (at twice the widget's size, for print and slides) or .svg
// (QSvgGenerator, vector where the widget paints vectors). A caption (provenance: model, data, metric,
// plan, tool and date) goes in a band under the picture, and into the PNG's "Description" text and
// the SVG's description. Returns "" or the reason it failed.
QString saveWidgetImage(QWidget& widget, const QString& path, const QString& caption = {});
QString saveTableCsv(const QAbstractItemModel& model, const QString& path);  // written atomically

// The sweep's rows as `avss sweep --out` writes them (avss::writeSweep: .json or .csv).
QString saveSweep(const avss::SweepResult& sweep, const QString& path);

// File dialogs around these, reporting failures in a message box.
void exportWidgetInteractive(QWidget* parent, QWidget& widget, const QString& suggestedName, const QString& caption = {});
void exportTableInteractive(QWidget* parent, const QAbstractItemModel& model, const QString& suggestedName);
void exportSweepInteractive(QWidget* parent, const avss::SweepResult* sweep);  // a message when there is none

}  // namespace avss::ui
