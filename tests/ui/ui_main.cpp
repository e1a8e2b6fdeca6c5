// Main of the UI tests: the offscreen platform unless the caller chose one, a QApplication, a
// throw-away configuration folder for QSettings, one compute thread (style.md §8), and the BLAS
// kernels the programs choose.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QApplication>
#include <QTemporaryDir>

#include "avss/blas_info.h"
#include "avss/model.h"
#include "workers/task_types.h"

int main(int argc, char* argv[]) {
    // As the explorer does, so this process runs the BLAS kernels of the `avss` it compares against
    avss::ensureBestBlasKernels(argc, argv);
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QTemporaryDir config;  // recent files and window layout never reach the user's configuration
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("avss-explorer-tests"));
    QApplication::setApplicationName(QStringLiteral("test_ui"));
    avss::ui::registerMetaTypes();
    avss::setComputeThreads(1);
    return Catch::Session().run(argc, argv);
}
