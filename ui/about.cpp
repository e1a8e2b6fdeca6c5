// The About dialog and the --version text, both from avss::versionInfo() and Qt's run-time version.
#include "about.h"

#include <QMessageBox>
#include <QThread>
#include <memory>
#include <optional>

#include "avss/blas_info.h"
#include "avss/metric_guide.h"
#include "avss/version.h"
#include "util/qt_convert.h"

namespace avss::ui {

QString versionReport() {
    const auto v = avss::versionInfo();
    const auto blas = avss::blasInfo();
    const auto kernels = toQString(blas.coreName.empty() ? std::string("unknown") : blas.coreName) + QStringLiteral(", ") + toQString(blas.reason);
    return QStringLiteral("avss-explorer %1\ncore: avss %1\nlibtorch: %2 (CUDA %3)\nQt: %4 (built with %5)\nHDF5: %6\nPCRE2: %7\n")
               .arg(toQString(v.avss), toQString(v.torch), v.cudaAvailable ? QStringLiteral("available") : QStringLiteral("not available"),
                    QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR), toQString(v.hdf5), toQString(v.pcre2)) +
           QStringLiteral("BLAS: %1%2\nBLAS kernels: %3\n")
               .arg(toQString(blas.library), blas.threads > 0 ? QStringLiteral(", %1 threads").arg(blas.threads) : QString(), kernels);
}

namespace {

QString gemmRow(const QString& value) {
    return QStringLiteral("<tr><td><b>BLAS fp32 GEMM</b></td><td>%1</td></tr>").arg(value);
}

}  // namespace

void showAboutDialog(QWidget* parent) {
    QString html = QObject::tr("<h3>AVSS Explorer</h3><p>Layer importance by activation variance and sparsity (AVSS) and related "
                               "metrics: inspect a model per layer, choose pruning thresholds and measure what removing layers "
                               "costs.</p><table>");
    for (const auto& line : versionReport().split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const auto colon = line.indexOf(QLatin1Char(':'));
        if (colon < 0) continue;
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(line.left(colon).toHtmlEscaped(), line.mid(colon + 1).trimmed().toHtmlEscaped());
    }
    QString papers = QObject::tr("<p><b>Methods</b> (Help ▸ Metrics explained has them all):</p><ul>");
    for (const auto& c : avss::citations()) {
        if (c.arxiv.empty()) continue;
        papers += QStringLiteral("<li>%1 <a href=\"https://arxiv.org/abs/%2\">arXiv:%2</a></li>").arg(toQString(c.text).toHtmlEscaped(), toQString(c.arxiv));
    }
    papers += QStringLiteral("</ul>");
    auto* box = new QMessageBox(QMessageBox::NoIcon, QObject::tr("About AVSS Explorer"),
                                html + gemmRow(QObject::tr("measuring …")) + QStringLiteral("</table>") + papers, QMessageBox::Ok, parent);
    box->setAttribute(Qt::WA_DeleteOnClose);
    // The GEMM rate takes ~0.1 s: measured on its own thread so the GUI thread never waits for it.
    auto rate = std::make_shared<std::optional<double>>();
    auto* thread = QThread::create([rate] { *rate = avss::measureBlasGflops(); });
    QObject::connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    QObject::connect(thread, &QThread::finished, box, [box, html, papers, rate] {
        const QString value = *rate ? QObject::tr("%1 GFLOP/s (1024³, measured now)").arg(**rate, 0, 'f', 1) : QObject::tr("unknown");
        box->setText(html + gemmRow(value) + QStringLiteral("</table>") + papers);
    });
    thread->start(QThread::LowPriority);
    box->open();
}

}  // namespace avss::ui
