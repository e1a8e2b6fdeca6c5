// Hallucination mitigation (paper B): the pairs file, the hallucination-prone layers by EAVSS (HSAV,
// HSS, rank; checked rows train), contrastive fine-tuning settings, live loss curves with step and
// ETA, Cancel/Resume, and the before/after table (held-out pairs, and optionally the what-if task
// without the training questions). Compare analyses the tuned model as the original was, for the
// heatmap's tuned and difference rows. The analysis and the trainer are the core's
// (avss/hallu_scores.h, avss/contrastive_trainer.h), run on the panel's own worker thread; training
// uses the file's even questions and scores its odd ones.
#pragma once

#include <QElapsedTimer>
#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

#include "workers/mitigation_worker.h"
#include "workers/worker_thread.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace avss::ui {

class LineChart;
class Workspace;

class MitigationPanel : public QWidget {
    Q_OBJECT
public:
    MitigationPanel(Workspace& workspace, QString cacheDir, QWidget* parent = nullptr);
    ~MitigationPanel() override;

    void setPairsFile(const QString& path, const QString& format = QStringLiteral("auto"));
    void analyse();              // EAVSS of the pairs on the loaded model (cache-first)
    void launch();               // a new run on the checked layers
    void resume();               // continue the last run up to the step count
    void cancel();
    void compare();              // analyse the last tuned model next to the original (heatmap rows)
    void toggleLayer(int layer);  // check or uncheck a layer for training (e.g. a heatmap column's double click)
    bool isBusy() const { return m_busy; }
    std::vector<int> checkedLayers() const;

    QTableWidget* layerTable() const { return m_layers; }
    QTableWidget* resultTable() const { return m_results; }
    QSpinBox* stepsBox() const { return m_steps; }
    QDoubleSpinBox* rateBox() const { return m_rate; }
    QSpinBox* heldOutBox() const { return m_heldOut; }
    QPushButton* launchButton() const { return m_launch; }
    QPushButton* resumeButton() const { return m_resume; }
    QPushButton* cancelButton() const { return m_cancel; }
    QPushButton* compareButton() const { return m_compare; }
    QCheckBox* scoreTaskBox() const { return m_scoreTask; }
    int lossPoints() const { return static_cast<int>(m_contrastive.size()); }
    QString status() const;

Q_SIGNALS:
    void busyChanged(bool busy);

private:
    QWidget* buildSource();
    QWidget* buildLayers();
    QWidget* buildTraining();
    QWidget* buildResults();
    void setBusy(bool busy);
    avss::PairSpec pairSpec() const;  // the file and format boxes
    void startTraining(bool resume);
    void onAnalysed(const HalluDone& done);
    void onStep(quint64 jobId, const avss::TrainStep& step);
    void onTrained(const TrainDone& done);
    void onCompared(const CompareDone& done);
    void showTaskChoice();
    void checkTopK();
    void updateButtons();

    Workspace& m_workspace;
    QString m_cacheDir;
    QLineEdit* m_pairs = nullptr;
    QComboBox* m_format = nullptr;
    QPushButton* m_analyse = nullptr;
    QTableWidget* m_layers = nullptr;
    QSpinBox* m_topK = nullptr;
    QSpinBox* m_steps = nullptr;
    QDoubleSpinBox* m_rate = nullptr;
    QSpinBox* m_pairsPerStep = nullptr;
    QSpinBox* m_seed = nullptr;
    QSpinBox* m_heldOut = nullptr;
    QPushButton* m_launch = nullptr;
    QPushButton* m_resume = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_compare = nullptr;
    QCheckBox* m_scoreTask = nullptr;
    QLabel* m_status = nullptr;
    LineChart* m_loss = nullptr;
    QTableWidget* m_results = nullptr;
    std::shared_ptr<const avss::HalluScores> m_scores;
    QString m_analysing;         // the source label of the analysis on its way (file and format)
    avss::PairSpec m_analysingSpec;
    QString m_scoresSource;      // m_scores' source label and pairs
    std::optional<avss::PairSpec> m_scoresSpec;
    std::shared_ptr<const avss::Model> m_tuned;  // the last run's tuned model
    std::vector<QPointF> m_contrastive, m_lm;
    QElapsedTimer m_clock;       // since the current launch or resume
    int m_clockFromStep = 0;     // the step the clock started at
    int m_lastStep = 0;
    bool m_busy = false;
    bool m_canResume = false;
    JobId m_nextId = 1;
    JobId m_current = 0;
    WorkerThread<MitigationWorker> m_worker{"avss-mitigation"};  // last: stops before the widgets go
};

}  // namespace avss::ui
