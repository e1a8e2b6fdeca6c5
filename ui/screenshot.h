// Headless screenshot mode (avss-explorer --screenshot out.png --model M --data D [--metric ID
// --remove K --task NAME --task-file F --sweep --measure --mitigate PAIRS]): opens the model and data, waits for the
// analysis from the cache or a worker, applies the metric and plan, optionally loads a task and
// sweeps, optionally measures, then grabs the window to a PNG and quits. Prints the event-loop stall measured while each job ran (the numbers in docs/explorer.md).
#pragma once

#include <QObject>

#include <QElapsedTimer>

#include "app_options.h"
#include "stall_monitor.h"
#include "workers/task_types.h"

namespace avss::ui {

class MainWindow;

class ScreenshotRun : public QObject {
    Q_OBJECT
public:
    ScreenshotRun(MainWindow& window, AppOptions options, QObject* parent = nullptr);
    void start();

private:
    void onAnalysis();
    void onMeasured();
    void afterTask();    // sweep, measure or grab
    void measureOrGrab();
    void mitigateOrGrab();  // the mitigation panel's analysis and a short run, then grab
    void lensOrGrab();      // the logit lens of --lens, then grab
    void lessonThenGrab();  // the bundled lesson at --lesson-step, then grab
    void watchJob(JobKind kind, bool busy);  // stall measurement from a job's start to its end
    void grabSoon();
    void fail(const QString& message, int exitCode);

    MainWindow& m_window;
    AppOptions m_options;
    StallMonitor m_stall;
    QElapsedTimer m_jobClock;
    bool m_planApplied = false;
    bool m_done = false;
    bool m_waitingTask = false, m_sweeping = false, m_lensRunning = false;
    int m_mitigationStage = 0;  // 1: analysing the pairs, 2: training
};

}  // namespace avss::ui
