// One pipeline: the explorer's workers and the `avss` CLI call the same core functions, so the
// same settings give the same cache key, the same score report and the same what-if numbers.
#include <catch2/catch.hpp>

#include <QFile>
#include <QMetaObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <nlohmann/json.hpp>

#include "avss/model.h"
#include "tiny_fixture.h"
#include "workers/analysis_worker.h"
#include "workers/measure_worker.h"
#include "workers/worker_thread.h"

using namespace avss::ui;
using avss::ui::test::TinyFixture;
using avss::ui::test::waitUntil;

namespace {

struct CliRun {
    int exitCode = -1;
    QString out, err;
};

// Runs the avss CLI with XDG_CACHE_HOME pointing into the test folder (so `--cache auto` resolves there).
CliRun runCli(const QStringList& args, const QString& xdgCache) {
    QProcess p;
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CACHE_HOME"), xdgCache);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(AVSS_CLI), args);
    p.waitForFinished(300000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

double valueAfter(const QString& text, const QString& label) {
    for (const auto& line : text.split(QLatin1Char('\n'))) {
        if (line.startsWith(label)) return line.mid(label.size()).trimmed().section(QLatin1Char(' '), 0, 0).toDouble();
    }
    FAIL("no line '" << label.toStdString() << "' in:\n" << text.toStdString());
    return 0;
}

template <class W, class Result, class Request>
Result runJob(W* worker, void (W::*signal)(Result), const Request& request) {
    std::optional<Result> got;
    QString error;
    QObject context;
    QObject::connect(worker, signal, &context, [&](const Result& r) { got = r; });
    QObject::connect(worker, &JobWorker::failed, &context, [&](quint64, const QString& m) { error = m; });
    QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); });
    REQUIRE(waitUntil([&] { return got.has_value() || !error.isEmpty(); }, 300000));
    INFO(error.toStdString());
    REQUIRE(got.has_value());
    return *got;
}

}  // namespace

TEST_CASE("pipeline: the CLI and the explorer share the cache key, the report and the what-if numbers", "[ui][pipeline]") {
    TinyFixture f;
    const QString xdg = toQString(f.dir.path() / "xdg");
    const auto model = avss::Model::load(toPath(f.modelPath), avss::LoadOptions{avss::Device::Cpu});
    const auto settings = test::tinySettings();

    WorkerThread<AnalysisWorker> analysisThread("test-analysis");
    AnalysisRequest request;
    request.jobId = 1;
    request.model = model;
    request.options = settings.collectOptions();
    request.cacheDir = xdg + QStringLiteral("/avss-explorer");
    const auto analysed = runJob(analysisThread.worker(), &AnalysisWorker::finished, request);
    REQUIRE(analysed.stats);
    REQUIRE(analysed.report);
    CHECK(QFile::exists(analysed.cacheFile));
    CHECK(analysed.cacheFile.endsWith(toQString(avss::provenanceKey(analysed.stats->provenance)) + QStringLiteral(".h5")));

    const QString reportFile = toQString(f.dir.path() / "cli-report.json");
    const auto score = runCli({QStringLiteral("score"), f.modelPath, QStringLiteral("--data"), QStringLiteral("builtin"),
                               QStringLiteral("--max-tokens"), QString::number(settings.tokens), QStringLiteral("--seq-len"),
                               QString::number(settings.sequenceLength), QStringLiteral("--batch"), QString::number(settings.batchSize),
                               QStringLiteral("--shards"), QString::number(settings.shards), QStringLiteral("--device"), QStringLiteral("cpu"),
                               QStringLiteral("--cache"), QStringLiteral("auto"), QStringLiteral("--out"), reportFile},
                              xdg);
    INFO(score.err.toStdString());
    REQUIRE(score.exitCode == 0);
    CHECK(score.err.contains(QStringLiteral("cache: using ") + analysed.cacheFile));  // same key, so the explorer's file

    QFile file(reportFile);
    REQUIRE(file.open(QIODevice::ReadOnly));
    auto cli = nlohmann::json::parse(file.readAll().toStdString());
    auto gui = nlohmann::json::parse(avss::scoreReportJson(*analysed.report));
    cli.erase("scoring_seconds");
    gui.erase("scoring_seconds");
    INFO("differences (RFC 6902 patch from the explorer's report to the CLI's): " << nlohmann::json::diff(gui, cli).dump());
    CHECK(cli == gui);

    WorkerThread<MeasureWorker> measureThread("test-measure");
    MeasureRequest measure;
    measure.jobId = 2;
    measure.model = model;
    measure.corpus = analysed.corpus;
    measure.analysis = analysed.stats;
    measure.options.heldOut.window = settings.evalWindow;
    measure.options.heldOut.maxTokens = settings.evalTokens;
    measure.options.removed = {2, 3};
    const auto measured = runJob(measureThread.worker(), &MeasureWorker::finished, measure);

    const auto ppl = runCli({QStringLiteral("perplexity"), f.modelPath, QStringLiteral("--held-out-from"), analysed.cacheFile,
                             QStringLiteral("--window"), QString::number(settings.evalWindow), QStringLiteral("--max-tokens"),
                             QString::number(settings.evalTokens), QStringLiteral("--skip-layers"), QStringLiteral("2,3"),
                             QStringLiteral("--device"), QStringLiteral("cpu")},
                            xdg);
    INFO(ppl.out.toStdString() << ppl.err.toStdString());
    REQUIRE(ppl.exitCode == 0);
    CHECK(valueAfter(ppl.out, QStringLiteral("dense NLL")) == Approx(measured.denseNll).epsilon(1e-9));
    CHECK(valueAfter(ppl.out, QStringLiteral("pruned NLL")) == Approx(measured.prunedNll).epsilon(1e-9));
    CHECK(measured.prunedNll != measured.denseNll);  // the skipped blocks did change the model
    const auto start = QRegularExpression(QStringLiteral("from token (\\d+)")).match(ppl.out);
    REQUIRE(start.hasMatch());
    CHECK(start.captured(1).toLongLong() == measured.heldOutStart);
    CHECK(measured.heldOutStart == analysed.stats->provenance.calibrationTokens);  // right after the calibration windows
}
