// Workers: every job ends with exactly one of finished / failed / cancelled; cancel is a direct
// call that stops within one batch and leaves no cache file.
#include <catch2/catch.hpp>

#include <QFile>
#include <QMetaObject>

#include "avss/model.h"
#include "tiny_fixture.h"
#include "workers/analysis_worker.h"
#include "workers/load_worker.h"
#include "workers/worker_thread.h"

using namespace avss::ui;
using avss::ui::test::TinyFixture;
using avss::ui::test::waitUntil;

namespace {

// Counts the terminal signals of one worker on the GUI thread (queued, as the app receives them).
struct Outcomes {
    int finished = 0, failed = 0, cancelled = 0;
    QString lastError;
    QObject context;
    template <class W, class Result>
    explicit Outcomes(W* worker, void (W::*finishedSignal)(Result)) {
        QObject::connect(worker, finishedSignal, &context, [this](const Result&) { ++finished; });
        QObject::connect(worker, &JobWorker::failed, &context, [this](quint64, const QString& m) { ++failed, lastError = m; });
        QObject::connect(worker, &JobWorker::cancelled, &context, [this](quint64) { ++cancelled; });
    }
    int total() const { return finished + failed + cancelled; }
};

// Returns once the worker thread has run everything queued before, and its signals are delivered.
template <class W>
void drain(W* worker) {
    QMetaObject::invokeMethod(worker, [] {}, Qt::BlockingQueuedConnection);
    QCoreApplication::processEvents();
}

AnalysisRequest tinyRequest(const TinyFixture& f, std::shared_ptr<const avss::Model> model, JobId id) {
    AnalysisRequest r;
    r.jobId = id;
    r.mode = AnalysisMode::CacheFirst;
    r.model = std::move(model);
    r.options = test::tinySettings().collectOptions();
    r.cacheDir = f.cacheDir;
    return r;
}

}  // namespace

TEST_CASE("an analysis job ends with exactly one of finished, failed or cancelled", "[ui][workers]") {
    TinyFixture f;
    const auto model = avss::Model::load(toPath(f.modelPath), avss::LoadOptions{avss::Device::Cpu});
    WorkerThread<AnalysisWorker> thread("test-analysis");
    auto* worker = thread.worker();
    Outcomes out(worker, &AnalysisWorker::finished);
    QString cacheFile;
    QObject::connect(worker, &AnalysisWorker::finished, &out.context, [&](const AnalysisResult& r) { cacheFile = r.cacheFile; });

    SECTION("finished") {
        const auto request = tinyRequest(f, model, 1);
        QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); });
        REQUIRE(waitUntil([&] { return out.total() > 0; }));
        drain(worker);
        CHECK(out.finished == 1);
        CHECK(out.total() == 1);
        CHECK(QFile::exists(cacheFile));
    }
    SECTION("failed: the core's message names the missing data file") {
        auto request = tinyRequest(f, model, 2);
        request.data.source = toQString(f.dir.path() / "no-such-text.txt");
        QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); });
        REQUIRE(waitUntil([&] { return out.total() > 0; }));
        drain(worker);
        CHECK(out.failed == 1);
        CHECK(out.total() == 1);
        CHECK(out.lastError.contains(QStringLiteral("no-such-text.txt")));
    }
    SECTION("cancelled midway by a direct call, leaving no cache file") {
        auto request = tinyRequest(f, model, 3);
        request.mode = AnalysisMode::Recompute;
        std::atomic<std::int64_t> doneAtCancel{-1};
        QObject::connect(worker, &JobWorker::progressed, worker, [&, worker](const JobProgress& p) {
            if (p.done > 0 && p.done < p.total && doneAtCancel < 0) {
                doneAtCancel = p.done;
                worker->cancel();  // from the worker's own thread: deterministic "midway"
            }
        }, Qt::DirectConnection);
        QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); });
        REQUIRE(waitUntil([&] { return out.total() > 0; }));
        drain(worker);
        CHECK(out.cancelled == 1);
        CHECK(out.total() == 1);
        CHECK(doneAtCancel > 0);
        CHECK(QDir(f.cacheDir + QStringLiteral("/analyses")).entryList(QDir::Files).isEmpty());
    }
    SECTION("cancelled while queued: the job never starts") {
        const auto request = tinyRequest(f, model, 4);
        worker->cancel(4);
        QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); });
        REQUIRE(waitUntil([&] { return out.total() > 0; }));
        drain(worker);
        CHECK(out.cancelled == 1);
        CHECK(out.total() == 1);
    }
}

TEST_CASE("loading a folder fails with the core's message, once", "[ui][workers]") {
    TinyFixture f;
    WorkerThread<LoadWorker> thread("test-load");
    auto* worker = thread.worker();
    Outcomes out(worker, &LoadWorker::finished);
    const LoadRequest request{7, toQString(f.dir.path()), avss::Device::Cpu};
    QMetaObject::invokeMethod(worker, [worker, request] { worker->run(request); });
    REQUIRE(waitUntil([&] { return out.total() > 0; }));
    drain(worker);
    CHECK(out.failed == 1);
    CHECK(out.total() == 1);
    CHECK(out.lastError.contains(toQString(f.dir.path())));
}

TEST_CASE("compute threads set on a worker thread stay on that thread", "[ui][workers][threads]") {
    const int gui = avss::computeThreads();
    WorkerThread<LoadWorker> thread("test-threads");
    thread.setComputeThreads(gui + 2);  // libtorch counts per calling thread: set on the worker's own
    int seen = 0;
    QMetaObject::invokeMethod(thread.worker(), [&seen] { seen = avss::computeThreads(); }, Qt::BlockingQueuedConnection);
    CHECK(seen == gui + 2);
    CHECK(avss::computeThreads() == gui);
}
