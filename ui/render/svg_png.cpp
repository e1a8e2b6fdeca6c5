// SVG → PNG through QSvgRenderer on a QImage.
#include "render/svg_png.h"

#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>
#include <cstdio>
#include <memory>

#include "avss/error.h"

namespace avss::render {
namespace {

// Text needs a QGuiApplication (fonts); the CLI has none, so make one offscreen for the process.
void ensureGuiApplication() {
    if (QCoreApplication::instance()) return;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "avss";
    static char* argv[] = {name, nullptr};
    // Qt's start-up chatter (e.g. "XDG_RUNTIME_DIR not set") is no concern of a plot file.
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext&, const QString& message) {
        if (type == QtCriticalMsg || type == QtFatalMsg) std::fprintf(stderr, "Qt: %s\n", qPrintable(message));
    });
    static std::unique_ptr<QGuiApplication> app(new QGuiApplication(argc, argv));
}

}  // namespace

void writeSvgAsPng(const std::string& svg, const std::filesystem::path& file, double scale) {
    ensureGuiApplication();
    QSvgRenderer renderer(QByteArray::fromStdString(svg));
    if (!renderer.isValid()) throw FormatError(file, "the chart's SVG could not be parsed for the PNG");
    const QSize size = (QSizeF(renderer.defaultSize()) * scale).toSize();
    QImage image(size, QImage::Format_ARGB32);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        renderer.render(&painter);
    }
    const auto temp = file.parent_path() / ("." + file.filename().string() + ".tmp");
    if (!image.save(QString::fromStdString(temp.string()), "PNG")) {
        throw IoError(file, "cannot write the PNG file", "Check that the folder exists and is writable.");
    }
    std::error_code ec;
    std::filesystem::rename(temp, file, ec);
    if (ec) {
        std::filesystem::remove(temp, ec);
        throw IoError(file, "cannot write the PNG file", "Check that the folder exists and is writable.");
    }
}

}  // namespace avss::render
