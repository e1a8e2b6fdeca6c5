// What is open now: the model, the calibration data and settings, the analysis (statistics and
// scores), the chosen metric and pruning rule with the resulting plan, the selected layer, the task
// that Measure and Sweep score, the measured what-if points and the retention sweep, and the
// hallucination analyses of the model (one per pairs source, one of them shown). GUI-thread only;
// every change is announced by a …Changed signal.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "analysis_settings.h"
#include "avss/metric_guide.h"
#include "avss/hallu_scores.h"
#include "avss/pruning_plan.h"
#include "measurement_book.h"
#include "workers/task_types.h"

namespace avss::ui {

class Workspace : public QObject {
    Q_OBJECT
public:
    explicit Workspace(QObject* parent = nullptr);

    // Model and data. Replacing either drops the analysis (it belonged to the old pair).
    void setModel(std::shared_ptr<const avss::Model> model, const QString& path);
    const std::shared_ptr<const avss::Model>& model() const { return m_model; }
    const QString& modelPath() const { return m_modelPath; }
    void setDataSource(const DataSource& data);
    const DataSource& dataSource() const { return m_data; }
    void setSettings(const AnalysisSettings& settings);
    const AnalysisSettings& settings() const { return m_settings; }
    void setCacheFileOverride(const QString& file);  // empty: automatic per-user cache file
    const QString& cacheFileOverride() const { return m_cacheFileOverride; }

    // Analysis results (statistics null until an analysis or cache hit arrives).
    void setAnalysis(const AnalysisResult& result);
    void clearAnalysis();
    bool hasAnalysis() const { return m_analysis.stats != nullptr; }
    const AnalysisResult& analysis() const { return m_analysis; }
    const avss::LayerScores* scoresFor(const QString& metric) const;

    // Metric and pruning rule → plan (recomputed at once: planPruning is a pure, microsecond call).
    void setMetric(const QString& metric);
    const QString& metric() const { return m_metric; }
    void setRule(const avss::PruningRule& rule);
    const avss::PruningRule& rule() const { return m_rule; }
    int layerCount() const;  // the analysis's, else the loaded model's, else 0
    const std::optional<avss::PruningPlan>& plan() const { return m_plan; }
    const QString& planError() const { return m_planError; }  // why there is no plan
    bool isRemoved(int layer) const;

    void setSelectedLayer(int layer);  // −1: none; clamped to the model's layers
    int selectedLayer() const { return m_selectedLayer; }

    const MeasurementBook& measurements() const { return m_book; }
    void addMeasurement(const MeasuredPoint& point);

    // The task Measure and Sweep score; a new choice drops the loaded items and the sweep.
    void setTaskChoice(const TaskChoice& choice);
    const TaskChoice& taskChoice() const { return m_taskChoice; }
    void setTaskData(const TaskChoice& choice, std::shared_ptr<const avss::TaskData> task);  // ignored unless the current choice
    const std::shared_ptr<const avss::TaskData>& taskData() const { return m_taskData; }

    // Hallucination analyses of this model, by source (e.g. "qa_data.json (halueval)"): adding one
    // replaces the same source's and shows it; a new model drops them all. "" = show none.
    void addHallucination(const QString& source, std::shared_ptr<const avss::HalluScores> scores);
    void setHallucinationSource(const QString& source);
    QStringList hallucinationSources() const;  // in the order they were added
    const QString& hallucinationSource() const { return m_halluSource; }
    std::shared_ptr<const avss::HalluScores> hallucination() const;  // the shown source's; null: none

    // The tuned model next to the original. It is shown only while the original analysis it was
    // made against is the current one; a new model drops it.
    void setComparison(const TunedComparison& comparison);
    void clearComparison();
    const TunedComparison* comparison() const;  // null: none, or it belongs to another analysis

    // The retention sweep on the current analysis and task (partial while it runs); null: none.
    void setSweep(std::shared_ptr<const avss::SweepResult> sweep);
    const std::shared_ptr<const avss::SweepResult>& sweep() const { return m_sweep; }

Q_SIGNALS:
    void modelChanged();
    void dataSourceChanged();
    void settingsChanged();
    void analysisChanged();
    void metricChanged(const QString& metric);
    void planChanged();
    void selectedLayerChanged(int layer);
    void measurementsChanged();
    void taskChanged();
    void sweepChanged();
    void hallucinationChanged();
    void comparisonChanged();
    void noticed(const QString& message);  // non-fatal problems for the status bar

private:
    void recomputePlan();

    std::shared_ptr<const avss::Model> m_model;
    QString m_modelPath;
    DataSource m_data;
    AnalysisSettings m_settings;
    QString m_cacheFileOverride;
    AnalysisResult m_analysis;
    QString m_metric = QString::fromStdString(avss::defaultPruneMetric().id);  // the core's choice (metric_guide.h)
    avss::PruningRule m_rule;
    std::optional<avss::PruningPlan> m_plan;
    QString m_planError;
    int m_selectedLayer = -1;
    MeasurementBook m_book;
    TaskChoice m_taskChoice;
    std::shared_ptr<const avss::TaskData> m_taskData;
    std::shared_ptr<const avss::SweepResult> m_sweep;
    int hallucinationIndex(const QString& source) const;  // −1: not analysed
    std::vector<std::pair<QString, std::shared_ptr<const avss::HalluScores>>> m_hallu;  // source → scores
    QString m_halluSource;
    std::optional<TunedComparison> m_comparison;
};

}  // namespace avss::ui
