// Shared set-up of the UI tests: a tiny random model, a temporary per-user cache folder and small
// analysis settings, plus waiting helpers that run the event loop (tests only).
#pragma once

#include <QCoreApplication>
#include <QObject>
#include <QString>
#include <QTest>
#include <functional>

#include "analysis_settings.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"
#include "util/qt_convert.h"

namespace avss::ui::test {

struct TinyFixture {
    avss::test::TempDir dir;
    QString modelPath;
    QString cacheDir;
    explicit TinyFixture(int layers = 6) {
        avss::test::TinySpec spec;
        spec.layers = layers;
        modelPath = toQString(avss::test::writeTinyModel(dir.path(), spec));
        cacheDir = toQString(dir.path() / "cache");
    }
};

// 2,048 tokens of the built-in text in 32 windows of 64: 16 batches, 4 shards; milliseconds each.
inline AnalysisSettings tinySettings() {
    AnalysisSettings s;
    s.tokens = 2048;
    s.sequenceLength = 64;
    s.batchSize = 2;
    s.shards = 4;
    s.device = avss::Device::Cpu;
    s.evalWindow = 64;
    s.evalTokens = 256;
    return s;
}

// Runs the event loop until `done` holds; false after timeoutMs.
inline bool waitUntil(const std::function<bool()>& done, int timeoutMs = 60000) { return QTest::qWaitFor(done, timeoutMs); }

// Counts a worker-thread signal in this (GUI) thread. A QSignalSpy on a worker's signal connects
// directly, so it would count on the worker thread and race with the test's reads and its destructor.
class GuiThreadCount : public QObject {
public:
    template <class Sender, class Signal>
    GuiThreadCount(Sender* sender, Signal signal) {
        connect(sender, signal, this, [this] { ++m_count; }, Qt::QueuedConnection);
    }
    int count() const { return m_count; }

private:
    int m_count = 0;
};

}  // namespace avss::ui::test
