// PNG via QWidget::grab, SVG via QSvgGenerator + QWidget::render, CSV via QSaveFile.
#include "export_files.h"

#include <QFileDialog>
#include <QMessageBox>
#include <QPainter>
#include <QPixmap>
#include <QSaveFile>
#include <QStandardPaths>
#include <QSvgGenerator>
#include <QWidget>

#include "avss/error.h"
#include "avss/sweep.h"
#include "models/csv_export.h"
#include "util/qt_convert.h"

namespace avss::ui {

QString saveWidgetImage(QWidget& widget, const QString& path) {
    if (path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(widget.size());
        svg.setViewBox(QRect(QPoint(0, 0), widget.size()));
        svg.setTitle(widget.windowTitle().isEmpty() ? widget.accessibleName() : widget.windowTitle());
        svg.setDescription(QObject::tr("Exported from AVSS Explorer"));
        QPainter painter;
        if (!painter.begin(&svg)) return QObject::tr("%1: cannot write the SVG file").arg(path);
        widget.render(&painter);
        painter.end();
        return {};
    }
    if (!path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) return QObject::tr("%1: use a .png or .svg file name").arg(path);
    if (!widget.grab().save(path, "PNG")) return QObject::tr("%1: cannot write the PNG file").arg(path);
    return {};
}

QString saveTableCsv(const QAbstractItemModel& model, const QString& path) {
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Text)) return QObject::tr("%1: %2").arg(path, out.errorString());
    out.write(tableToCsv(model).toUtf8());
    if (!out.commit()) return QObject::tr("%1: %2").arg(path, out.errorString());
    return {};
}

QString saveSweep(const avss::SweepResult& sweep, const QString& path) {
    try {
        avss::writeSweep(toPath(path), sweep);
        return {};
    } catch (const avss::Error& e) {
        return QString::fromUtf8(e.what());
    }
}

void exportWidgetInteractive(QWidget* parent, QWidget& widget, const QString& suggestedName) {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    QString filter;
    const QString path = QFileDialog::getSaveFileName(parent, QObject::tr("Export image"), dir + QLatin1Char('/') + suggestedName + QStringLiteral(".png"),
                                                      QObject::tr("PNG image (*.png);;SVG drawing (*.svg)"), &filter);
    if (path.isEmpty()) return;
    const QString error = saveWidgetImage(widget, path);
    if (!error.isEmpty()) QMessageBox::warning(parent, QObject::tr("Export failed"), error);
}

void exportTableInteractive(QWidget* parent, const QAbstractItemModel& model, const QString& suggestedName) {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString path = QFileDialog::getSaveFileName(parent, QObject::tr("Export table"), dir + QLatin1Char('/') + suggestedName + QStringLiteral(".csv"),
                                                      QObject::tr("CSV (*.csv)"));
    if (path.isEmpty()) return;
    const QString error = saveTableCsv(model, path);
    if (!error.isEmpty()) QMessageBox::warning(parent, QObject::tr("Export failed"), error);
}

void exportSweepInteractive(QWidget* parent, const avss::SweepResult* sweep) {
    if (!sweep) {
        QMessageBox::information(parent, QObject::tr("Export sweep"), QObject::tr("Run a sweep first (Pruning what-if ▸ Sweep curves)."));
        return;
    }
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString path = QFileDialog::getSaveFileName(parent, QObject::tr("Export sweep"), dir + QStringLiteral("/sweep.json"),
                                                      QObject::tr("JSON (*.json);;CSV (*.csv)"));
    if (path.isEmpty()) return;
    const QString error = saveSweep(*sweep, path);
    if (!error.isEmpty()) QMessageBox::warning(parent, QObject::tr("Export failed"), error);
}

}  // namespace avss::ui
