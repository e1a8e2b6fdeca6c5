// Build-time helper: renders the scalable application icon to the PNG sizes of the hicolor theme.
// Usage: avss_render_icon ICON.svg OUTDIR SIZE...   (writes OUTDIR/<size>x<size>/avss-explorer.png)
#include <QDir>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>
#include <cstdio>

int main(int argc, char* argv[]) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s ICON.svg OUTDIR SIZE...\n", argv[0]);
        return 2;
    }
    QSvgRenderer svg(QString::fromLocal8Bit(argv[1]));
    if (!svg.isValid()) {
        std::fprintf(stderr, "%s: not a valid SVG icon\n", argv[1]);
        return 3;
    }
    for (int i = 3; i < argc; ++i) {
        const int size = QString::fromLatin1(argv[i]).toInt();
        const QString dir = QStringLiteral("%1/%2x%2").arg(QString::fromLocal8Bit(argv[2])).arg(size);
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        svg.render(&painter);
        painter.end();
        if (!QDir().mkpath(dir) || !image.save(dir + QStringLiteral("/avss-explorer.png"))) {
            std::fprintf(stderr, "%s: cannot write the %d px icon\n", qPrintable(dir), size);
            return 4;
        }
    }
    return 0;
}
