// Workspace state transitions; the plan follows the scores, metric and rule at once.
#include "workspace.h"

#include <algorithm>

#include "avss/error.h"
#include "util/qt_convert.h"
#include "workers/cache_location.h"

namespace avss::ui {

Workspace::Workspace(QObject* parent) : QObject(parent) {
    m_rule.kind = avss::RuleKind::Count;
    m_rule.count = 0;
}

void Workspace::setModel(std::shared_ptr<const avss::Model> model, const QString& path) {
    m_model = std::move(model);
    m_modelPath = path;
    clearAnalysis();
    clearComparison();
    if (!m_hallu.empty()) {  // they described the old model's layers
        m_hallu.clear();
        m_halluSource.clear();
        Q_EMIT hallucinationChanged();
    }
    Q_EMIT modelChanged();
}

void Workspace::setDataSource(const DataSource& data) {
    if (data == m_data) return;
    m_data = data;
    clearAnalysis();
    Q_EMIT dataSourceChanged();
}

void Workspace::setSettings(const AnalysisSettings& settings) {
    if (settings == m_settings) return;
    m_settings = settings;
    Q_EMIT settingsChanged();
}

void Workspace::setCacheFileOverride(const QString& file) {
    if (file == m_cacheFileOverride) return;
    m_cacheFileOverride = file;
    Q_EMIT settingsChanged();
}

void Workspace::setAnalysis(const AnalysisResult& result) {
    if (result.cacheFile != m_analysis.cacheFile) m_sweep.reset();  // its plans came from other statistics
    m_analysis = result;
    const QString bookProblem = m_book.open(measurementFileFor(result.cacheFile));
    if (!bookProblem.isEmpty()) Q_EMIT noticed(bookProblem);
    if (!scoresFor(m_metric) && result.scores && !result.scores->empty()) {  // the default if it applies, else the first
        const auto fallback = QString::fromStdString(avss::defaultPruneMetric().id);
        m_metric = scoresFor(fallback) ? fallback : toQString(result.scores->front().metric);
    }
    m_selectedLayer = std::clamp(m_selectedLayer, -1, layerCount() - 1);
    recomputePlan();
    Q_EMIT analysisChanged();
    Q_EMIT metricChanged(m_metric);
    Q_EMIT planChanged();
    Q_EMIT measurementsChanged();
    Q_EMIT sweepChanged();
}

void Workspace::clearAnalysis() {
    if (!hasAnalysis() && m_book.points().empty()) return;
    m_analysis = AnalysisResult{};
    m_book.clear();
    m_sweep.reset();
    recomputePlan();
    Q_EMIT analysisChanged();
    Q_EMIT planChanged();
    Q_EMIT measurementsChanged();
    Q_EMIT sweepChanged();
}

void Workspace::addHallucination(const QString& source, std::shared_ptr<const avss::HalluScores> scores) {
    if (!scores || source.isEmpty()) return;
    const int at = hallucinationIndex(source);
    if (at >= 0) m_hallu[static_cast<std::size_t>(at)].second = std::move(scores);
    else m_hallu.emplace_back(source, std::move(scores));
    m_halluSource = source;
    Q_EMIT hallucinationChanged();
}

void Workspace::setHallucinationSource(const QString& source) {
    if (source == m_halluSource || (!source.isEmpty() && hallucinationIndex(source) < 0)) return;
    m_halluSource = source;
    Q_EMIT hallucinationChanged();
}

void Workspace::setComparison(const TunedComparison& comparison) {
    m_comparison = comparison;
    Q_EMIT comparisonChanged();
}

void Workspace::clearComparison() {
    if (!m_comparison) return;
    m_comparison.reset();
    Q_EMIT comparisonChanged();
}

const TunedComparison* Workspace::comparison() const {
    return m_comparison && m_comparison->originalStats == m_analysis.stats ? &*m_comparison : nullptr;
}

int Workspace::hallucinationIndex(const QString& source) const {
    for (std::size_t i = 0; i < m_hallu.size(); ++i) {
        if (m_hallu[i].first == source) return static_cast<int>(i);
    }
    return -1;
}

QStringList Workspace::hallucinationSources() const {
    QStringList out;
    for (const auto& entry : m_hallu) out << entry.first;
    return out;
}

std::shared_ptr<const avss::HalluScores> Workspace::hallucination() const {
    const int at = hallucinationIndex(m_halluSource);
    return at < 0 ? nullptr : m_hallu[static_cast<std::size_t>(at)].second;
}

const avss::LayerScores* Workspace::scoresFor(const QString& metric) const {
    if (!m_analysis.scores) return nullptr;
    const auto id = toUtf8(metric);
    for (const auto& s : *m_analysis.scores) {
        if (s.metric == id) return &s;
    }
    return nullptr;
}

void Workspace::setMetric(const QString& metric) {
    if (metric == m_metric) return;
    m_metric = metric;
    recomputePlan();
    Q_EMIT metricChanged(m_metric);
    Q_EMIT planChanged();
}

void Workspace::setRule(const avss::PruningRule& rule) {
    m_rule = rule;
    recomputePlan();
    Q_EMIT planChanged();
}

bool Workspace::isRemoved(int layer) const {
    return m_plan && std::find(m_plan->removed.begin(), m_plan->removed.end(), layer) != m_plan->removed.end();
}

void Workspace::setSelectedLayer(int layer) {
    // Before a model is open (a session being restored) the layer is kept and clamped later.
    layer = layerCount() > 0 ? std::clamp(layer, -1, layerCount() - 1) : std::max(layer, -1);
    if (layer == m_selectedLayer) return;
    m_selectedLayer = layer;
    Q_EMIT selectedLayerChanged(layer);
}

void Workspace::addMeasurement(const MeasuredPoint& point) {
    const QString problem = m_book.add(point);
    if (!problem.isEmpty()) Q_EMIT noticed(problem);
    Q_EMIT measurementsChanged();
}

void Workspace::setTaskChoice(const TaskChoice& choice) {
    if (choice == m_taskChoice) return;
    m_taskChoice = choice;
    m_taskData.reset();
    m_sweep.reset();
    Q_EMIT taskChanged();
    Q_EMIT sweepChanged();
}

void Workspace::setTaskData(const TaskChoice& choice, std::shared_ptr<const avss::TaskData> task) {
    if (choice != m_taskChoice) return;  // a file chosen before this one finished loading
    m_taskData = std::move(task);
    Q_EMIT taskChanged();
}

void Workspace::setSweep(std::shared_ptr<const avss::SweepResult> sweep) {
    m_sweep = std::move(sweep);
    Q_EMIT sweepChanged();
}

void Workspace::recomputePlan() {
    m_plan.reset();
    m_planError.clear();
    const auto* scores = scoresFor(m_metric);
    if (!scores) return;
    try {
        m_plan = avss::planPruning(*scores, m_rule);
    } catch (const avss::UsageError& e) {  // e.g. a mass rule on a metric pruned from the high end
        m_planError = QString::fromUtf8(e.what());
    }
}

int Workspace::layerCount() const {
    if (m_analysis.stats) return m_analysis.stats->layerCount();
    return m_model ? m_model->info().hparams.layers : 0;
}

}  // namespace avss::ui
