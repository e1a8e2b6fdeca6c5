// Main window composition: actions and menus, docks, status bar, drag and drop, sessions.
#include "main_window.h"

#include <algorithm>
#include <utility>

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QCheckBox>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QGuiApplication>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "about.h"
#include "metrics_explained.h"
#include "app_options.h"
#include "avss/error.h"
#include "avss/paths.h"
#include "avss/version.h"
#include "export_files.h"
#include "models/layer_detail_model.h"
#include "models/layer_table_model.h"
#include "models/measurement_model.h"
#include "session.h"
#include "util/metric_name.h"
#include "util/qt_convert.h"
#include "widgets/analysis_box.h"
#include "widgets/data_panel.h"
#include "widgets/heatmap_view.h"
#include "widgets/layer_detail.h"
#include "widgets/layer_views.h"
#include "widgets/lens_view.h"
#include "widgets/line_chart.h"
#include "widgets/mitigation_panel.h"
#include "widgets/prune_panel.h"
#include "widgets/welcome_panel.h"
#include "widgets/lesson_panel.h"
#include "lesson.h"
#include "widgets/score_chart.h"
#include "widgets/sweep_chart.h"
#include "widgets/sweep_view.h"

namespace avss::ui {
namespace {

bool isDataFile(const QString& path) {
    for (const char* ext : {".txt", ".md", ".jsonl", ".ndjson"}) {
        if (path.endsWith(QLatin1String(ext), Qt::CaseInsensitive)) return true;
    }
    return false;
}

}  // namespace

MainWindow::MainWindow(const QString& cacheDir, QWidget* parent)
    : QMainWindow(parent), m_jobs(m_workspace, cacheDir) {
    setWindowTitle(tr("AVSS Explorer"));
    setAcceptDrops(true);
    setDockOptions(AnimatedDocks | AllowTabbedDocks | AllowNestedDocks);
    createActions();
    m_views = new LayerViews(m_workspace, this);
    setCentralWidget(m_views);
    createDocks();
    createMenus();
    connectJobs();
    statusBar()->showMessage(tr("Open a model (Ctrl+O) or the sample model (Ctrl+Shift+O)"));
    m_defaultState = saveState();
}

// Panels go before the Workspace and JobCenter members they refer to (style.md §6, shutdown order).
MainWindow::~MainWindow() {
    for (auto& [name, dock] : m_docks) delete dock;
    delete takeCentralWidget();
}

void MainWindow::createActions() {
    auto make = [this](const QString& text, const QKeySequence& key, auto slot) {
        auto* a = new QAction(text, this);
        if (!key.isEmpty()) a->setShortcut(key);
        connect(a, &QAction::triggered, this, slot);
        return a;
    };
    auto& a = m_actions;
    a.openModel = make(tr("&Open model…"), QKeySequence::Open, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("Open model"), {}, tr("GGUF models (*.gguf);;All files (*)"));
        if (!file.isEmpty()) openModelFile(file);
    });
    a.openFolder = make(tr("Open Hugging Face &folder…"), QKeySequence(tr("Ctrl+Alt+F")), [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a Hugging Face model folder (config.json, model.safetensors, tokenizer.json)"));
        if (!dir.isEmpty()) openModelFile(dir);
    });
    a.openSample = make(tr("Open &sample model"), QKeySequence(tr("Ctrl+Shift+O")), [this] { openModelFile(QStringLiteral("default")); });
    a.openData = make(tr("Open calibration &data…"), QKeySequence(tr("Ctrl+D")), [this] { m_data->chooseDataFile(); });
    a.builtinData = make(tr("Use the &built-in text"), {}, [this] { m_workspace.setDataSource(DataSource{}); });
    a.openSession = make(tr("Open s&ession…"), QKeySequence(tr("Ctrl+Alt+O")), [this] { chooseSessionToOpen(); });
    a.saveSession = make(tr("Save session…"), QKeySequence::Save, [this] { chooseSessionToSave(); });
    a.exportModel = make(tr("Export &pruned model…"), QKeySequence(tr("Ctrl+E")), [this] { m_prune->chooseExportFile(); });
    a.quit = make(tr("&Quit"), QKeySequence::Quit, [this] { close(); });
    a.analyse = make(tr("&Analyse"), QKeySequence(Qt::Key_F5), [this] { m_jobs.analyse(AnalysisMode::CacheFirst); });
    a.rerun = make(tr("&Re-run"), QKeySequence(tr("Shift+F5")), [this] { m_jobs.analyse(AnalysisMode::Recompute); });
    a.cancel = make(tr("&Cancel"), QKeySequence(Qt::Key_Escape), [this] { m_jobs.cancelBusy(); });
    a.measure = make(tr("&Measure what-if"), QKeySequence(tr("Ctrl+M")), [this] { m_jobs.measure(); });
    a.scaleValue = make(tr("Heatmap colour by &value"), {}, [this] { setHeatmapScale(HeatmapScale::Value); });
    a.scaleRank = make(tr("Heatmap colour by &rank"), {}, [this] { setHeatmapScale(HeatmapScale::Rank); });
    a.resetLayout = make(tr("Reset &layout"), {}, [this] {
        restoreState(m_defaultState);
        applyDefaultDockSizes();
    });
    a.about = make(tr("&About AVSS Explorer"), {}, [this] { showAboutDialog(this); });
    a.metricsHelp = make(tr("&Metrics explained"), QKeySequence::HelpContents, [this] {
        showMetricsExplained(this, m_workspace.hasAnalysis() ? m_workspace.analysis().scores.get() : nullptr);
    });
    a.gettingStarted = make(tr("&Getting started"), {}, [this] {
        auto* dock = m_docks[QStringLiteral("welcome")];
        dock->show();
        dock->raise();
    });
    a.presentation = make(tr("&Presentation mode"), QKeySequence(tr("Ctrl+Shift+P")), [this] { setPresentationMode(!presentationMode()); });
    a.presentation->setCheckable(true);
    a.presentation->setToolTip(tr("Larger fonts and only the central views, for a projector (the docks come back when it is off)"));
    a.lesson = make(tr("&Lesson: which layers could a model lose?"), {}, [this] {
        const QString error = startLesson(QString::fromLatin1(kBundledLesson));
        if (!error.isEmpty()) showError(tr("Cannot open the lesson"), error);
    });
    a.aboutQt = make(tr("About &Qt"), {}, [] { QApplication::aboutQt(); });
    a.rerun->setToolTip(tr("Analyse again even if the cache has these results, then replace the cache file"));
    a.exportModel->setEnabled(false);  // follows the plan and the export job (connectJobs)
    auto* scales = new QActionGroup(this);
    for (QAction* s : {a.scaleValue, a.scaleRank}) s->setCheckable(true), scales->addAction(s);
    a.scaleValue->setChecked(true);
}

void MainWindow::createMenus() {
    auto& a = m_actions;
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addActions({a.openModel, a.openFolder, a.openSample});
    a.recent = file->addMenu(tr("Open &recent"));
    connect(a.recent, &QMenu::aboutToShow, this, [this] { m_recent.fillMenu(m_actions.recent, [this](const QString& p) { openModelFile(p); }); });
    file->addSeparator();
    file->addActions({a.openData, a.builtinData});
    file->addSeparator();
    file->addActions({a.openSession, a.saveSession});
    file->addSeparator();
    a.exportMenu = file->addMenu(tr("E&xport"));
    a.exportMenu->addAction(tr("Heatmap image (PNG/SVG)…"), this, [this] { exportWidgetInteractive(this, *m_views->heatmap(), QStringLiteral("heatmap"), figureCaption()); });
    a.exportMenu->addAction(tr("Score chart image (PNG/SVG)…"), this, [this] { exportWidgetInteractive(this, *m_views->chart(), QStringLiteral("scores"), figureCaption()); });
    a.exportMenu->addAction(tr("Retention chart image (PNG/SVG)…"), this, [this] { exportWidgetInteractive(this, *m_prune->retentionChart(), QStringLiteral("retention"), figureCaption()); });
    a.exportMenu->addAction(tr("Sweep curves image (PNG/SVG)…"), this, [this] { exportWidgetInteractive(this, *m_prune->sweepView()->chart(), QStringLiteral("sweep"), figureCaption()); });
    a.exportMenu->addSeparator();
    a.exportMenu->addAction(tr("Layer table (CSV)…"), this, [this] { exportTableInteractive(this, *m_views->tableModel(), QStringLiteral("layers")); });
    a.exportMenu->addAction(tr("Layer detail (CSV)…"), this, [this] { exportTableInteractive(this, *m_detail->model(), QStringLiteral("layer-detail")); });
    a.exportMenu->addAction(tr("Measurements (CSV)…"), this, [this] { exportTableInteractive(this, *m_prune->measurementModel(), QStringLiteral("measurements")); });
    a.exportMenu->addAction(tr("Sweep results (JSON/CSV)…"), this, [this] { exportSweepInteractive(this, m_workspace.sweep().get()); });
    file->addAction(a.exportModel);
    file->addSeparator();
    file->addAction(a.quit);
    QMenu* analysis = menuBar()->addMenu(tr("&Analysis"));
    analysis->addActions({a.analyse, a.rerun, a.cancel});
    analysis->addSeparator();
    analysis->addAction(a.measure);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addActions({a.scaleValue, a.scaleRank});
    view->addSeparator();
    for (auto& [name, dock] : m_docks) view->addAction(dock->toggleViewAction());
    view->addSeparator();
    view->addAction(a.resetLayout);
    view->addAction(a.presentation);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(a.gettingStarted);
    help->addAction(a.lesson);
    help->addAction(a.metricsHelp);
    help->addSeparator();
    help->addActions({a.about, a.aboutQt});

    QToolBar* tools = addToolBar(tr("Main"));
    tools->setObjectName(QStringLiteral("mainToolBar"));
    tools->setToolButtonStyle(Qt::ToolButtonTextOnly);
    tools->addActions({a.openModel, a.openSample, a.openData});
    tools->addSeparator();
    tools->addActions({a.analyse, a.rerun, a.cancel});
    tools->addSeparator();
    tools->addActions({a.measure, a.exportModel});
}

// Panels sit in scroll areas, so small screens scroll a panel instead of growing the window.
QDockWidget* MainWindow::addDock(const QString& title, const QString& name, QWidget* content, Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(name + QStringLiteral("Dock"));  // saveState/restoreState key
    // The View menu entry: a lone '&' in the title would become a mnemonic ("Model _data").
    dock->toggleViewAction()->setText(QString(title).replace(QLatin1Char('&'), QStringLiteral("&&")));
    if (content) {
        auto* scroll = new QScrollArea;
        scroll->setWidget(content);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        dock->setWidget(scroll);
    }
    addDockWidget(area, dock);
    m_docks[name] = dock;
    return dock;
}

void MainWindow::createDocks() {
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    m_data = new DataPanel(m_workspace, m_actions.openModel, m_actions.openSample, left);
    m_analysisBox = new AnalysisBox(m_workspace, m_jobs, {m_actions.analyse, m_actions.rerun, m_actions.cancel}, left);
    leftLayout->addWidget(m_data);
    leftLayout->addWidget(m_analysisBox, 1);
    auto* dataDock = addDock(tr("Model & data"), QStringLiteral("data"), left, Qt::LeftDockWidgetArea);
    // A lesson's notes sit under the data panel, so the panels a step raises never cover them.
    m_lesson = new LessonPanel(m_workspace, [this](const LessonStep& step) { applyLessonStep(step); });
    auto* lessonDock = addDock(tr("Lesson"), QStringLiteral("lesson"), m_lesson, Qt::LeftDockWidgetArea);
    splitDockWidget(dataDock, lessonDock, Qt::Vertical);
    lessonDock->hide();  // until a lesson starts

    // Right side: what-if above layer detail; mitigation, the layer table and the lens are tabs beside them.
    m_prune = new PrunePanel(m_workspace, m_jobs);
    auto* pruneDock = addDock(tr("Pruning what-if"), QStringLiteral("prune"), m_prune, Qt::RightDockWidgetArea);
    m_detail = new LayerDetail(m_workspace);
    auto* detailDock = addDock(tr("Layer detail"), QStringLiteral("detail"), m_detail, Qt::RightDockWidgetArea);
    splitDockWidget(pruneDock, detailDock, Qt::Vertical);
    m_mitigation = new MitigationPanel(m_workspace, m_jobs.cacheDir());
    auto* mitigationDock = addDock(tr("Mitigation"), QStringLiteral("mitigation"), m_mitigation, Qt::RightDockWidgetArea);
    tabifyDockWidget(pruneDock, mitigationDock);
    connect(m_views->chart(), &ScoreChart::cutDragged, m_prune, &PrunePanel::pickRemoved);
    connect(m_views->heatmap(), &HeatmapView::layerActivated, this, [this, mitigationDock](int layer) {
        mitigationDock->raise();  // the toggle shows where it lands
        m_mitigation->toggleLayer(layer);
    });
    auto* tableDock = addDock(tr("Layer table"), QStringLiteral("table"), nullptr, Qt::RightDockWidgetArea);
    tableDock->setWidget(m_views->createTable(tableDock));
    tabifyDockWidget(detailDock, tableDock);
    m_lens = new LensView(m_workspace, m_jobs);
    auto* lensDock = addDock(tr("Logit lens"), QStringLiteral("lens"), m_lens, Qt::RightDockWidgetArea);
    tabifyDockWidget(detailDock, lensDock);
    // The first-run steps: a tab beside the what-if panel, in front only on a plain first launch.
    const auto showLens = [this, lensDock] {
        lensDock->show();
        lensDock->raise();
        m_lens->run();
    };
    m_welcome = new WelcomePanel(m_workspace, m_jobs, {m_actions.openSample, m_actions.analyse, m_actions.measure, showLens});
    auto* welcomeDock = addDock(tr("Getting started"), QStringLiteral("welcome"), m_welcome, Qt::RightDockWidgetArea);
    tabifyDockWidget(mitigationDock, welcomeDock);
    pruneDock->raise();
    detailDock->raise();
}

// Shares of the window: the data dock ~22 % of the width, the right docks ~30 %, the what-if panel
// ~60 % of the right column's height. Only meaningful once the window has its size.
void MainWindow::applyDefaultDockSizes() {
    QDockWidget* dataDock = m_docks[QStringLiteral("data")];
    QDockWidget* pruneDock = m_docks[QStringLiteral("prune")];
    QDockWidget* detailDock = m_docks[QStringLiteral("detail")];
    const int w = width(), h = height();
    resizeDocks({dataDock, pruneDock}, {std::max(300, w * 22 / 100), std::max(320, w * 30 / 100)}, Qt::Horizontal);
    resizeDocks({pruneDock, detailDock}, {h * 60 / 100, h * 40 / 100}, Qt::Vertical);
}

void MainWindow::connectJobs() {
    // A first analysis takes tens of seconds: the empty centre says what runs and how far it is.
    connect(&m_jobs, &JobCenter::busyChanged, this, [this](JobKind kind, bool) {
        if (kind != JobKind::Load && kind != JobKind::Analysis) return;
        const bool loading = m_jobs.isBusy(JobKind::Load), analysing = m_jobs.isBusy(JobKind::Analysis);
        m_views->heatmap()->setPlaceholder(loading     ? tr("Loading the model …")
                                           : analysing ? tr("Analysing …\nProgress and time left are in the Model & data panel; Esc cancels.")
                                                       : QString());
    });
    connect(&m_jobs, &JobCenter::progressed, this, [this](JobKind kind, const JobProgress& p) {
        if ((kind == JobKind::Load || kind == JobKind::Analysis) && m_jobs.isBusy(kind)) {
            m_views->heatmap()->setPlaceholder(progressSummary(p) + tr("\nEsc cancels."));
        }
    });
    m_jobLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_jobLabel);
    connect(&m_jobs, &JobCenter::statusMessage, this, [this](const QString& m) { statusBar()->showMessage(m, 15000); });
    connect(&m_jobs, &JobCenter::errorRaised, this, &MainWindow::showError);
    connect(&m_workspace, &Workspace::noticed, this, [this](const QString& m) { statusBar()->showMessage(m, 15000); });
    connect(&m_jobs, &JobCenter::busyChanged, this, [this] {
        QStringList running;
        if (m_jobs.isBusy(JobKind::Load)) running << tr("loading");
        if (m_jobs.isBusy(JobKind::Analysis)) running << tr("analysing");
        if (m_jobs.isBusy(JobKind::Measure)) running << tr("measuring");
        if (m_jobs.isBusy(JobKind::Export)) running << tr("exporting");
        if (m_jobs.isBusy(JobKind::Task)) running << tr("reading the task");
        if (m_jobs.isBusy(JobKind::Sweep)) running << tr("sweeping");
        if (m_jobs.isBusy(JobKind::Lens)) running << tr("running the lens");
        m_jobLabel->setText(running.join(QStringLiteral(", ")));
        m_actions.cancel->setEnabled(m_jobs.isAnyBusy());
        m_actions.measure->setEnabled(m_workspace.plan().has_value() && !m_jobs.isBusy(JobKind::Measure));
        m_actions.exportModel->setEnabled(m_prune->canExport());
    });
    connect(&m_workspace, &Workspace::planChanged, this, [this] {
        m_actions.measure->setEnabled(m_workspace.plan().has_value() && !m_jobs.isBusy(JobKind::Measure));
        m_actions.exportModel->setEnabled(m_prune->canExport());
    });
    m_actions.cancel->setEnabled(false);
    m_actions.measure->setEnabled(false);  // no plan before an analysis
    connect(&m_jobs, &JobCenter::exported, this, [this](const avss::ExportResult& r) {
        auto* box = new QMessageBox(QMessageBox::Information, tr("Pruned model exported"), PrunePanel::describeExport(r), QMessageBox::Ok, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
    connect(&m_workspace, &Workspace::modelChanged, this, [this] {
        const auto& model = m_workspace.model();
        if (model) m_recent.add(m_workspace.modelPath());
        setWindowTitle(model ? tr("%1 — AVSS Explorer").arg(toQString(model->info().name)) : tr("AVSS Explorer"));
    });
}

void MainWindow::showError(const QString& title, const QString& message) {
    statusBar()->showMessage(title + QStringLiteral(": ") + message, 30000);
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();  // window-modal, never blocks the event loop
}

void MainWindow::openModelFile(const QString& pathOrDefault) {
    QString path;
    try {  // "default" means what it means to the CLI: the sample model in the cache
        path = toQString(avss::resolveModelArgument(toUtf8(pathOrDefault), toPath(m_jobs.cacheDir())));
    } catch (const avss::Error& e) {
        showError(tr("Sample model missing"), QString::fromUtf8(e.what()));
        return;
    }
    m_jobs.openModel(path);  // it joins Open recent once it loaded (modelChanged)
}

void MainWindow::setHeatmapScale(HeatmapScale scale) {
    m_views->heatmap()->setScale(scale);
    (scale == HeatmapScale::Rank ? m_actions.scaleRank : m_actions.scaleValue)->setChecked(true);
}

void MainWindow::raisePanel(const QString& name) {
    const auto it = m_docks.find(name);
    if (it != m_docks.end()) it->second->raise();
}

QString MainWindow::startLesson(const QString& path, bool openItsModel) {
    QString error;
    auto lesson = loadLesson(path, &error);
    if (!lesson) return error;
    if (openItsModel && !lesson->model.isEmpty() && !m_workspace.model()) {
        m_workspace.setDataSource(DataSource{lesson->data, m_workspace.dataSource().jsonField});
        openModelFile(lesson->model);  // the steps wait for its analysis
    }
    auto* dock = m_docks[QStringLiteral("lesson")];
    const bool wasHidden = dock->isHidden();
    dock->show();
    dock->raise();
    if (wasHidden) resizeDocks({m_docks[QStringLiteral("data")], dock}, {height() * 45 / 100, height() * 55 / 100}, Qt::Vertical);  // room for the notes
    m_lesson->start(std::move(*lesson));
    return {};
}

void MainWindow::applyLessonStep(const LessonStep& step) {
    if (!step.metric.isEmpty()) m_workspace.setMetric(step.metric);
    if (step.remove >= 0) {
        auto rule = m_workspace.rule();
        rule.kind = avss::RuleKind::Count;
        rule.count = step.remove;
        m_workspace.setRule(rule);
    }
    if (step.layer >= 0) m_workspace.setSelectedLayer(step.layer);
    if (step.sorted) m_views->chart()->setSorted(*step.sorted);
    if (!step.lens.isEmpty()) {
        m_lens->skipPlanBox()->setChecked(step.lensSkipPlan);
        m_lens->setPrompt(step.lens);
    }
    if (!step.panel.isEmpty()) raisePanel(step.panel);
}

void MainWindow::setPresentationMode(bool on) {
    if (on == presentationMode()) return;
    if (on) {
        m_presentationState = saveState();
        m_normalFont = font();
        for (auto& [name, dock] : m_docks) dock->hide();
        QFont large = m_normalFont;
        large.setPointSizeF(large.pointSizeF() * 1.5);
        setFont(large);  // inherited by every child that does not set its own
    } else {
        setFont(m_normalFont);
        restoreState(std::exchange(m_presentationState, {}));
    }
    m_actions.presentation->setChecked(on);
}

void MainWindow::restoreLayout() {
    QSettings settings;
    const auto geometry = settings.value(QStringLiteral("window/geometry")).toByteArray();
    if (!geometry.isEmpty() && restoreGeometry(geometry) &&
        restoreState(settings.value(QStringLiteral("window/state")).toByteArray())) {
        m_defaultDocksPending = false;  // the user's own layout
        return;
    }
    // First launch: 85 % of the screen, at most 1600 × 1000; the docks are sized once it is shown.
    const QRect screen = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableGeometry() : QRect(0, 0, 1600, 1000);
    resize(std::min(1600, screen.width() * 85 / 100), std::min(1000, screen.height() * 85 / 100));
}

void MainWindow::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (std::exchange(m_defaultDocksPending, false)) {
        QTimer::singleShot(0, this, [this] {
            applyDefaultDockSizes();
            if (!m_commandLineModel) m_docks[QStringLiteral("welcome")]->raise();  // a newcomer's first launch
        });
    }
}

void MainWindow::closeEvent(QCloseEvent* event) {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), presentationMode() ? m_presentationState : saveState());  // never save the docks hidden
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

// A dropped .gguf or model folder (or anything else, which the core then names) opens as the model; text and
// JSONL files become the calibration data; *.avss.json reopens a session.
void MainWindow::dropEvent(QDropEvent* event) {
    for (const QUrl& url : event->mimeData()->urls()) {
        if (!url.isLocalFile()) continue;
        const QString path = url.toLocalFile();
        if (path.endsWith(QLatin1String(".avss.json"))) {
            const QString error = openSession(path);
            if (!error.isEmpty()) showError(tr("Cannot open the session"), error);
        } else if (isDataFile(path)) {
            m_workspace.setDataSource(DataSource{path, m_workspace.dataSource().jsonField});
        } else {
            openModelFile(path);
        }
    }
    event->acceptProposedAction();
}

QString MainWindow::openSession(const QString& file) {
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly)) return tr("%1: %2").arg(file, in.errorString());
    QString error;
    const auto session = sessionFromJson(in.readAll(), &error);
    if (!session) return tr("%1: %2").arg(file, error);
    applySession(*session, m_workspace);
    restoreGeometry(session->windowGeometry);
    restoreState(session->windowState);
    if (!session->modelPath.isEmpty()) openModelFile(session->modelPath);
    return {};
}

QString MainWindow::saveSession(const QString& file) {
    Session session = captureSession(m_workspace);
    session.windowState = saveState();
    session.windowGeometry = saveGeometry();
    QFile out(file);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) return tr("%1: %2").arg(file, out.errorString());
    out.write(sessionToJson(session));
    return {};
}

void MainWindow::chooseSessionToOpen() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Open session"), {}, tr("AVSS sessions (*.avss.json);;JSON (*.json)"));
    if (file.isEmpty()) return;
    const QString error = openSession(file);
    if (!error.isEmpty()) showError(tr("Cannot open the session"), error);
}

void MainWindow::chooseSessionToSave() {
    QString file = QFileDialog::getSaveFileName(this, tr("Save session"), QStringLiteral("session.avss.json"), tr("AVSS sessions (*.avss.json)"));
    if (file.isEmpty()) return;
    if (!file.endsWith(QLatin1String(".json"))) file += QStringLiteral(".avss.json");
    const QString error = saveSession(file);
    if (!error.isEmpty()) showError(tr("Cannot save the session"), error);
    else statusBar()->showMessage(tr("Session saved to %1").arg(file), 10000);
}

QString MainWindow::figureCaption() const {
    QStringList parts;
    if (const auto& model = m_workspace.model()) parts << toQString(model->info().name);
    if (m_workspace.hasAnalysis()) {
        const auto& p = m_workspace.analysis().stats->provenance;
        parts << tr("data %1 (%2 tokens, %3 shards, fingerprint %4)")
                     .arg(toQString(p.dataName))
                     .arg(p.tokens)
                     .arg(p.shardCount)
                     .arg(toQString(p.dataFingerprint.substr(0, 12)));
        parts << metricName(m_workspace.metric());
    }
    if (const auto& plan = m_workspace.plan()) parts << toQString(plan->description);
    parts << tr("AVSS Explorer %1, %2").arg(toQString(avss::versionInfo().avss), QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    return parts.join(QStringLiteral(" · "));
}

void MainWindow::openFromCommandLine(const AppOptions& options) {
    if (!options.session.isEmpty()) {
        const QString error = openSession(options.session);
        if (!error.isEmpty()) showError(tr("Cannot open the session"), error);
    }
    if (!options.data.isEmpty()) m_workspace.setDataSource(DataSource{options.data, m_workspace.dataSource().jsonField});
    if (!options.metric.isEmpty()) m_workspace.setMetric(options.metric);
    if (options.heatmapScale == QLatin1String("rank")) setHeatmapScale(HeatmapScale::Rank);
    if (options.sortedChart) m_views->chart()->setSorted(true);
    if (!options.model.isEmpty()) openModelFile(options.model);
    m_commandLineModel = !options.model.isEmpty() || !options.session.isEmpty();
}

}  // namespace avss::ui
