// The --screenshot sequence, driven by the same signals as the interactive window.
#include "screenshot.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialog>
#include <QDockWidget>
#include <QPixmap>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <algorithm>
#include <iostream>
#include <iterator>
#include <utility>

#include "main_window.h"
#include "lesson.h"
#include "widgets/lens_view.h"
#include "widgets/lesson_panel.h"
#include "widgets/mitigation_panel.h"
#include "widgets/prune_panel.h"
#include "widgets/sweep_view.h"
#include "widgets/task_box.h"
#include "util/qt_convert.h"

namespace avss::ui {

ScreenshotRun::ScreenshotRun(MainWindow& window, AppOptions options, QObject* parent)
    : QObject(parent), m_window(window), m_options(std::move(options)) {}

void ScreenshotRun::start() {
    auto& jobs = m_window.jobs();
    auto& workspace = m_window.workspace();
    connect(&jobs, &JobCenter::errorRaised, this, [this](const QString& title, const QString& message) { fail(title + QStringLiteral(": ") + message, 3); });
    connect(&jobs, &JobCenter::analysisMissing, this, [&jobs] { jobs.analyse(AnalysisMode::CacheFirst); });  // not cached: run it
    connect(&workspace, &Workspace::analysisChanged, this, &ScreenshotRun::onAnalysis);
    connect(&workspace, &Workspace::measurementsChanged, this, &ScreenshotRun::onMeasured);
    connect(&jobs, &JobCenter::busyChanged, this, &ScreenshotRun::watchJob);
    if (m_options.recompute) {  // the first model load triggers a real run instead of the cache lookup
        connect(&workspace, &Workspace::modelChanged, this, [&jobs] { jobs.analyse(AnalysisMode::Recompute); }, Qt::QueuedConnection);
    }
    m_window.resize(m_options.width, m_options.height);
    m_window.show();
    if (!m_options.panel.isEmpty()) m_window.raisePanel(m_options.panel);
    m_window.openFromCommandLine(m_options);
    if (m_options.model.isEmpty() && m_options.session.isEmpty()) grabSoon();  // the first launch, as a newcomer sees it
}

void ScreenshotRun::onAnalysis() {
    auto& workspace = m_window.workspace();
    if (!workspace.hasAnalysis() || m_planApplied) return;
    if (m_window.jobs().isBusy(JobKind::Analysis)) return;  // a recompute is still on its way
    m_planApplied = true;
    const auto& p = workspace.analysis().stats->provenance;
    std::cerr << "avss-explorer: analysis " << (workspace.analysis().fromCache ? "from the cache" : "computed") << ": " << p.tokens
              << " tokens\n";
    if (!m_options.metric.isEmpty()) workspace.setMetric(m_options.metric);
    if (m_options.remove >= 0) {
        auto rule = workspace.rule();
        rule.kind = avss::RuleKind::Count;
        rule.count = m_options.remove;
        workspace.setRule(rule);
    }
    const auto& plan = workspace.plan();
    const int layer = m_options.layer >= 0 ? m_options.layer : plan && !plan->removed.empty() ? plan->removed.front() : 0;
    workspace.setSelectedLayer(layer);
    if (m_options.lessonStep > 0) return lessonThenGrab();
    if (m_options.task.isEmpty()) return measureOrGrab();
    TaskChoice choice;
    choice.name = m_options.task;
    choice.file = m_options.taskFile;
    choice.limit = m_options.taskLimit;
    m_waitingTask = true;  // continues in watchJob when the task job ends
    m_window.prunePanel().taskBox()->choose(choice);
}

void ScreenshotRun::afterTask() {
    if (!m_window.workspace().taskData()) return fail(tr("the task file could not be read"), 3);
    if (!m_options.sweep) return measureOrGrab();
    m_sweeping = true;  // continues in watchJob when the sweep ends
    m_window.prunePanel().sweepView()->start();
}

void ScreenshotRun::measureOrGrab() {
    if (!m_options.measure) return mitigateOrGrab();
    m_window.jobs().measure();
    if (!m_window.jobs().isBusy(JobKind::Measure)) mitigateOrGrab();  // answered from the measurement cache
}

void ScreenshotRun::onMeasured() {
    if (!m_planApplied || !m_options.measure || m_window.workspace().measurements().points().empty()) return;
    if (m_window.jobs().isBusy(JobKind::Measure)) return;
    mitigateOrGrab();
}

void ScreenshotRun::mitigateOrGrab() {
    if (m_options.mitigate.isEmpty() || m_mitigationStage != 0) return lensOrGrab();
    auto& panel = m_window.mitigationPanel();
    connect(&panel, &MitigationPanel::busyChanged, this, [this, &panel](bool busy) {
        if (busy) return;
        if (m_mitigationStage == 1 && panel.layerTable()->rowCount() > 0) {
            m_mitigationStage = 2;
            panel.stepsBox()->setValue(m_options.mitigateSteps);
            QTimer::singleShot(0, &panel, &MitigationPanel::launch);
        } else if (m_mitigationStage == 2 && panel.resultTable()->rowCount() > 0 && m_options.compare) {
            m_mitigationStage = 3;
            QTimer::singleShot(0, &panel, &MitigationPanel::compare);
        } else if ((m_mitigationStage == 2 && panel.resultTable()->rowCount() > 0) ||
                   (m_mitigationStage == 3 && m_window.workspace().comparison() != nullptr)) {
            lensOrGrab();
        } else {
            fail(tr("mitigation: %1").arg(panel.status()), 3);
        }
    });
    m_mitigationStage = 1;
    panel.setPairsFile(m_options.mitigate);
    panel.analyse();
}

void ScreenshotRun::lessonThenGrab() {
    const QString error = m_window.startLesson(QString::fromLatin1(kBundledLesson), false);
    if (!error.isEmpty()) return fail(error, 3);
    auto& lesson = m_window.lessonPanel();
    lesson.go(m_options.lessonStep - 1);
    const auto& step = lesson.lesson().steps[static_cast<std::size_t>(lesson.current())];
    if (step.lens.isEmpty()) return grabSoon();
    m_lensRunning = true;  // the step started the lens: grab when it ends (watchJob)
}

void ScreenshotRun::lensOrGrab() {
    if (m_options.lens.isEmpty() || m_lensRunning) return grabSoon();
    m_lensRunning = true;  // continues in watchJob when the lens job ends
    m_window.raisePanel(QStringLiteral("lens"));
    if (auto* dock = m_window.findChild<QDockWidget*>(QStringLiteral("lensDock"))) {
        dock->setFloating(true);
        dock->resize(std::min(m_options.width, 1280), std::min(m_options.height, 640));
    }
    auto& lens = m_window.lensView();
    lens.skipPlanBox()->setChecked(m_options.remove > 0);
    lens.setPrompt(m_options.lens);
}

void ScreenshotRun::watchJob(JobKind kind, bool busy) {
    static const char* const names[] = {"load", "analysis", "what-if", "export", "task", "sweep", "lens"};
    static_assert(std::size(names) == static_cast<std::size_t>(JobKind::Lens) + 1, "a name per job kind");
    if (busy) {
        m_stall.start();
        m_jobClock.start();
        return;
    }
    m_stall.stop();
    // Queued: the job's result reaches the Workspace right after its busy state ends.
    if (kind == JobKind::Task && std::exchange(m_waitingTask, false)) QTimer::singleShot(0, this, &ScreenshotRun::afterTask);
    if (kind == JobKind::Sweep && std::exchange(m_sweeping, false)) QTimer::singleShot(0, this, &ScreenshotRun::measureOrGrab);
    if (kind == JobKind::Lens && m_lensRunning) {
        if (m_options.attentionBlock >= 0) {
            auto& lens = m_window.lensView();
            lens.tabs()->setCurrentIndex(1);
            lens.blockBox()->setValue(m_options.attentionBlock);
        }
        QTimer::singleShot(0, this, &ScreenshotRun::grabSoon);
    }
    std::cerr << "avss-explorer: event loop while the " << names[static_cast<int>(kind)] << " job ran ("
              << m_jobClock.elapsed() / 1000.0 << " s): gap p95 " << m_stall.gapPercentileMs(0.95) << " ms, max "
              << m_stall.maxGapMs() << " ms over " << m_stall.ticks()
              << " ticks of 10 ms\n";
}

void ScreenshotRun::grabSoon() {
    if (m_done) return;
    m_done = true;
    QTimer::singleShot(400, this, [this] {  // let the last layout and chart animations settle
        QWidget* shot = &m_window;
        if (m_options.metricsPage) {  // Help ▸ Metrics explained instead of the window
            m_window.metricsHelpAction()->trigger();
            shot = m_window.findChild<QDialog*>(QStringLiteral("metricsExplained"));
            if (!shot) return fail(tr("the Metrics explained page did not open"), 4);
        }
        if (!m_options.lens.isEmpty()) {  // the lens dock alone, floated to a readable size
            auto* dock = m_window.findChild<QDockWidget*>(QStringLiteral("lensDock"));
            if (!dock) return fail(tr("the Logit lens dock is missing"), 4);
            shot = dock;
        }
        if (!shot->grab().save(m_options.screenshot, "PNG")) return fail(tr("cannot write %1").arg(m_options.screenshot), 4);
        std::cerr << "avss-explorer: wrote " << toUtf8(m_options.screenshot) << "\n";
        QApplication::exit(0);
    });
}

void ScreenshotRun::fail(const QString& message, int exitCode) {
    std::cerr << "avss-explorer: error: " << toUtf8(message) << "\n";
    QApplication::exit(exitCode);
}

}  // namespace avss::ui
