// Analyse / Re-run / Cancel, the running job's progress (tokens/s, ETA) and where the shown
// results come from (cache or fresh run, with their provenance).
#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QProgressBar;

namespace avss::ui {

class JobCenter;
class Workspace;
struct JobProgress;
enum class JobKind;

class AnalysisBox : public QWidget {
    Q_OBJECT
public:
    struct Actions {
        QAction* analyse;
        QAction* rerun;
        QAction* cancel;
    };
    AnalysisBox(Workspace& workspace, JobCenter& jobs, const Actions& actions, QWidget* parent = nullptr);

private:
    void showProgress(JobKind kind, const JobProgress& progress);
    void showBusy(JobKind kind, bool busy);
    void showProvenance();
    void showMissing(const QString& reason);

    Workspace& m_workspace;
    JobCenter& m_jobs;
    Actions m_actions;
    QProgressBar* m_progress;
    QLabel* m_progressText;
    QLabel* m_provenance;
    QString m_missingReason;  // the last cache lookup found nothing for the current settings
};

// "1 min 05 s", "12 s": for ETAs.
QString formatDuration(double seconds);
// "analysing: 1024 / 4096 tokens · 310 tokens/s · ETA 10 s", what the panel and the empty heatmap show.
QString progressSummary(const JobProgress& p);

}  // namespace avss::ui
