// The explorer's main window: menus, toolbar, status bar and dockable panels around the central
// heatmap + chart. Composition only: state lives in Workspace, jobs in JobCenter, views in widgets/.
#pragma once

#include <QFont>
#include <QMainWindow>
#include <map>

#include "job_center.h"
#include "recent_files.h"
#include "render/heatmap_grid.h"
#include "workspace.h"

class QLabel;

namespace avss::ui {

struct AppOptions;
class AnalysisBox;
class DataPanel;
class LayerDetail;
class LayerViews;
class MitigationPanel;
class LensView;
class WelcomePanel;
class LessonPanel;
struct LessonStep;
class PrunePanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const QString& cacheDir, QWidget* parent = nullptr);
    ~MainWindow() override;

    Workspace& workspace() { return m_workspace; }
    JobCenter& jobs() { return m_jobs; }
    LayerViews& views() { return *m_views; }
    PrunePanel& prunePanel() { return *m_prune; }
    MitigationPanel& mitigationPanel() { return *m_mitigation; }
    LensView& lensView() { return *m_lens; }
    WelcomePanel& welcomePanel() { return *m_welcome; }
    LessonPanel& lessonPanel() { return *m_lesson; }
    // Opens a lesson (avss-lesson JSON) in its dock; with openItsModel, also its model and data when
    // another is open. Returns an error message, or "" on success.
    QString startLesson(const QString& path, bool openItsModel = true);
    void applyLessonStep(const LessonStep& step);  // the step's metric, plan, layer, chart, panel and lens
    QAction* cancelAction() const { return m_actions.cancel; }    // Esc: every running job of the window
    QAction* measureAction() const { return m_actions.measure; }  // Ctrl+M: needs a plan
    QAction* metricsHelpAction() const { return m_actions.metricsHelp; }  // F1: Help ▸ Metrics explained

    void openModelFile(const QString& pathOrDefault);  // "default" = the sample model
    void setHeatmapScale(HeatmapScale scale);
    // Presentation mode (View, Ctrl+Shift+P): docks hidden, fonts ×1.5, for a projector; off restores both.
    void setPresentationMode(bool on);
    bool presentationMode() const { return !m_presentationState.isEmpty(); }
    void raisePanel(const QString& name);               // prune, mitigation, detail, table, data
    void restoreLayout();                               // dock layout and geometry from QSettings, else the defaults
    QString openSession(const QString& file);           // "" or the reason it failed
    QString saveSession(const QString& file);
    void openFromCommandLine(const AppOptions& options);
    // The provenance line under an exported figure: model, data, metric, plan, tool version, date.
    QString figureCaption() const;

protected:
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    struct Actions {
        QAction *openModel, *openFolder, *openSample, *openData, *builtinData, *openSession, *saveSession, *exportModel, *quit;
        QAction *analyse, *rerun, *cancel, *measure;
        QAction *scaleValue, *scaleRank, *resetLayout, *about, *aboutQt, *metricsHelp, *gettingStarted, *presentation, *lesson;
        QMenu* recent;
        QMenu* exportMenu;
    };
    void createActions();
    void createMenus();
    void createDocks();
    void connectJobs();
    QDockWidget* addDock(const QString& title, const QString& name, QWidget* content, Qt::DockWidgetArea area);
    void showError(const QString& title, const QString& message);
    void chooseSessionToOpen();
    void chooseSessionToSave();

    Workspace m_workspace;  // declared before m_jobs: the worker threads stop before the model goes
    JobCenter m_jobs;
    RecentFiles m_recent;
    Actions m_actions{};
    LayerViews* m_views = nullptr;
    DataPanel* m_data = nullptr;
    AnalysisBox* m_analysisBox = nullptr;
    PrunePanel* m_prune = nullptr;
    LayerDetail* m_detail = nullptr;
    MitigationPanel* m_mitigation = nullptr;
    LensView* m_lens = nullptr;
    WelcomePanel* m_welcome = nullptr;
    LessonPanel* m_lesson = nullptr;
    QByteArray m_presentationState;  // the layout before presentation mode (empty: not presenting)
    QFont m_normalFont;
    bool m_commandLineModel = false;  // opened with a model or session: no first-run page in front
    std::map<QString, QDockWidget*> m_docks;
    QLabel* m_jobLabel = nullptr;
    QByteArray m_defaultState;  // for View ▸ Reset layout
    bool m_defaultDocksPending = true;  // default dock sizes wait for the first show (before it the window has no size)
    void applyDefaultDockSizes();
};

}  // namespace avss::ui
