// The About dialog and the --version text, both from avss::versionInfo() and Qt's run-time version.
#include "about.h"

#include <QMessageBox>

#include "avss/version.h"
#include "util/qt_convert.h"

namespace avss::ui {

QString versionReport() {
    const auto v = avss::versionInfo();
    return QStringLiteral("avss-explorer %1\ncore: avss %1\nlibtorch: %2 (CUDA %3)\nQt: %4 (built with %5)\nHDF5: %6\nPCRE2: %7\n")
        .arg(toQString(v.avss), toQString(v.torch), v.cudaAvailable ? QStringLiteral("available") : QStringLiteral("not available"),
             QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR), toQString(v.hdf5), toQString(v.pcre2));
}

void showAboutDialog(QWidget* parent) {
    QString html = QObject::tr("<h3>AVSS Explorer</h3><p>Layer importance by activation variance and sparsity (AVSS) and related "
                               "metrics: inspect a model per layer, choose pruning thresholds and measure what removing layers "
                               "costs.</p><table>");
    for (const auto& line : versionReport().split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const auto colon = line.indexOf(QLatin1Char(':'));
        if (colon < 0) continue;
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(line.left(colon).toHtmlEscaped(), line.mid(colon + 1).trimmed().toHtmlEscaped());
    }
    QMessageBox::about(parent, QObject::tr("About AVSS Explorer"), html + QStringLiteral("</table>"));
}

}  // namespace avss::ui
