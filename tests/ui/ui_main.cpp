// Main of the UI tests: the offscreen platform unless the caller chose one, a QApplication, a
// throw-away configuration folder for QSettings, one compute thread (style.md §8), and the BLAS
// kernels the programs choose. Any Qt warning fails the run (issue 13: warnings hide real faults).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QApplication>
#include <QFile>
#include <QStringList>
#include <QTemporaryDir>
#include <cstdio>
#include <mutex>

#include "avss/blas_info.h"
#include "avss/model.h"
#include "workers/task_types.h"

namespace {

std::mutex g_warningsLock;
QStringList g_warnings;
QtMessageHandler g_previous = nullptr;

// What the offscreen platform itself says about a request it cannot honour; not the program's fault.
bool platformNotice(const QString& message) {
    return message == QLatin1String("This plugin does not support propagateSizeHints()") ||
           message == QLatin1String("This plugin does not support raise()");  // a tooltip window shown offscreen
}

void recordWarnings(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    if (type != QtDebugMsg && type != QtInfoMsg && !platformNotice(message)) {
        const std::lock_guard<std::mutex> lock(g_warningsLock);
        g_warnings << message;
    }
    g_previous(type, context, message);
}

}  // namespace

int main(int argc, char* argv[]) {
    // As the explorer does, so this process runs the BLAS kernels of the `avss` it compares against
    avss::ensureBestBlasKernels(argc, argv);
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QTemporaryDir config;  // recent files and window layout never reach the user's configuration
    qputenv("XDG_CONFIG_HOME", config.path().toUtf8());
    QTemporaryDir runtime;  // Qt wants a private runtime folder; CI shells often have none
    if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
        QFile::setPermissions(runtime.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        qputenv("XDG_RUNTIME_DIR", runtime.path().toUtf8());
    }
    g_previous = qInstallMessageHandler(recordWarnings);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("avss-explorer-tests"));
    QApplication::setApplicationName(QStringLiteral("test_ui"));
    avss::ui::registerMetaTypes();
    avss::setComputeThreads(1);
    const int failed = Catch::Session().run(argc, argv);
    const std::lock_guard<std::mutex> lock(g_warningsLock);
    if (!g_warnings.isEmpty()) {
        std::fprintf(stderr, "test_ui: %lld Qt warnings (any fails the suite), the first: %s\n", static_cast<long long>(g_warnings.size()),
                     qPrintable(g_warnings.front()));
        return failed != 0 ? failed : 1;
    }
    return failed;
}
