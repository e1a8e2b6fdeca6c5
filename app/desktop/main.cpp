// avss-explorer: versions without a display, else QApplication, thread budget, MainWindow, --screenshot.
#include <QApplication>
#include <QIcon>
#include <iostream>

#include "about.h"
#include "app_options.h"
#include "avss/blas_info.h"
#include "avss/model.h"
#include "avss/paths.h"
#include "main_window.h"
#include "screenshot.h"
#include "util/qt_convert.h"

int main(int argc, char* argv[]) {
    avss::ensureBestBlasKernels(argc, argv);  // first: it may re-execute the program with better BLAS kernels
    if (avss::ui::wantsVersion(argc, argv)) return std::cout << avss::ui::versionReport().toStdString(), 0;
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("avss-explorer"));
    QApplication::setOrganizationName(QStringLiteral("avss-explorer"));
    QApplication::setDesktopFileName(QStringLiteral("io.github.avssexplorer.explorer"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/avss-explorer.svg")));
    QString message;
    int exitCode = 0;
    const auto options = avss::ui::parseAppOptions(QApplication::arguments(), &message, &exitCode);
    if (!options) return (exitCode == 0 ? std::cout : std::cerr) << message.toStdString() << "\n", exitCode;
    avss::ui::registerMetaTypes();
    avss::configureProcess(0);  // heap policy + default libtorch threads (BLAS uses every core)
    avss::ui::MainWindow window(avss::ui::toQString(avss::cacheDirFromEnvironment()));
    if (!options->screenshot.isEmpty()) {
        avss::ui::ScreenshotRun run(window, *options);
        run.start();
        return QApplication::exec();
    }
    window.restoreLayout();
    window.show();
    window.openFromCommandLine(*options);
    return QApplication::exec();
}
