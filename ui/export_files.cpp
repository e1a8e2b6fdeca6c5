// PNG and SVG via QWidget::render (PNG at 2×) with an optional caption band, CSV via QSaveFile.
#include "export_files.h"

#include <QFileDialog>
#include <QImage>
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

namespace {

constexpr qreal kPngScale = 2.0;  // figures for print and slides
constexpr int kCaptionMargin = 6;

QRect captionRect(const QWidget& widget, const QString& caption) {
    if (caption.isEmpty()) return {};
    const QRect text = widget.fontMetrics().boundingRect(QRect(0, 0, widget.width() - 2 * kCaptionMargin, 10000),
                                                         Qt::TextWordWrap, caption);
    return {0, widget.height(), widget.width(), text.height() + 2 * kCaptionMargin};
}

// The widget, then its caption in a band of the window colour below it.
void paintFigure(QWidget& widget, QPainter& painter, const QString& caption, const QRect& band) {
    widget.render(&painter);
    if (band.isEmpty()) return;
    painter.fillRect(band, widget.palette().window());
    painter.setPen(widget.palette().color(QPalette::WindowText));
    painter.setFont(widget.font());
    painter.drawText(band.adjusted(kCaptionMargin, kCaptionMargin, -kCaptionMargin, -kCaptionMargin), Qt::TextWordWrap, caption);
}

}  // namespace

QString saveWidgetImage(QWidget& widget, const QString& path, const QString& caption) {
    const QRect band = captionRect(widget, caption);
    const QSize size(widget.width(), widget.height() + band.height());
    if (path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(widget.windowTitle().isEmpty() ? widget.accessibleName() : widget.windowTitle());
        svg.setDescription(caption.isEmpty() ? QObject::tr("Exported from AVSS Explorer") : caption);
        QPainter painter;
        if (!painter.begin(&svg)) return QObject::tr("%1: cannot write the SVG file").arg(path);
        paintFigure(widget, painter, caption, band);
        painter.end();
        return {};
    }
    if (!path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive)) return QObject::tr("%1: use a .png or .svg file name").arg(path);
    QImage image(size * kPngScale, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(kPngScale);
    image.fill(widget.palette().color(QPalette::Window));
    QPainter painter(&image);
    paintFigure(widget, painter, caption, band);
    painter.end();
    if (!caption.isEmpty()) image.setText(QStringLiteral("Description"), caption);
    if (!image.save(path, "PNG")) return QObject::tr("%1: cannot write the PNG file").arg(path);
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

void exportWidgetInteractive(QWidget* parent, QWidget& widget, const QString& suggestedName, const QString& caption) {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    QString filter;
    const QString path = QFileDialog::getSaveFileName(parent, QObject::tr("Export image"), dir + QLatin1Char('/') + suggestedName + QStringLiteral(".png"),
                                                      QObject::tr("PNG image (*.png);;SVG drawing (*.svg)"), &filter);
    if (path.isEmpty()) return;
    const QString error = saveWidgetImage(widget, path, caption);
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
