// The pruning what-if panel: rule widgets → plan (synchronous), Measure → MeasureWorker (background).
#include "widgets/prune_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>

#include "avss/metric_guide.h"
#include "avss/prune_export.h"
#include "job_center.h"
#include "models/measurement_model.h"
#include "util/metric_name.h"
#include "util/qt_convert.h"
#include "widgets/line_chart.h"
#include "widgets/sweep_view.h"
#include "widgets/task_box.h"
#include "metrics_explained.h"
#include "workspace.h"

namespace avss::ui {

PrunePanel::PrunePanel(Workspace& workspace, JobCenter& jobs, QWidget* parent)
    : QWidget(parent), m_workspace(workspace), m_jobs(jobs), m_metric(new QComboBox(this)), m_rule(new QComboBox(this)),
      m_slider(new QSlider(Qt::Horizontal, this)), m_amount(new QDoubleSpinBox(this)), m_protectFirst(new QCheckBox(tr("first block"), this)),
      m_protectLast(new QCheckBox(tr("last block"), this)), m_planText(new QLabel(this)), m_defaultNote(new QLabel(this)), m_measure(new QPushButton(tr("&Measure"), this)),
      m_cancel(new QPushButton(tr("Cancel"), this)), m_export(new QPushButton(tr("Export pruned model…"), this)),
      m_measureStatus(new QLabel(this)),
      m_chart(new LineChart(tr("Measured retention (dense = 1)"), tr("layers removed"), tr("retention"), this)),
      m_measurements(new MeasurementModel(this)), m_table(new QTableView(this)), m_taskBox(new TaskBox(workspace, jobs, this)),
      m_sweepView(new SweepView(workspace, jobs, this)) {
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildRuleBox());
    layout->addWidget(buildMeasureBox(), 1);
    connect(&m_workspace, &Workspace::analysisChanged, this, &PrunePanel::syncFromWorkspace);
    connect(&m_workspace, &Workspace::metricChanged, this, &PrunePanel::syncFromWorkspace);
    connect(&m_workspace, &Workspace::planChanged, this, &PrunePanel::showPlan);
    connect(&m_workspace, &Workspace::measurementsChanged, this, &PrunePanel::showMeasurements);
    connect(&m_jobs, &JobCenter::busyChanged, this, [this](JobKind kind, bool busy) {
        if (kind != JobKind::Measure && kind != JobKind::Export) return;
        updateButtons();
        if (!busy) m_measureStatus->clear();
    });
    connect(&m_jobs, &JobCenter::progressed, this, [this](JobKind kind, const JobProgress& p) {
        if (kind == JobKind::Measure || kind == JobKind::Export) showJobProgress(p);
    });
    connect(&m_jobs, &JobCenter::exported, this, [this](const avss::ExportResult& r) {
        m_measureStatus->setText(describeExport(r));
    });
    syncFromWorkspace();
    showMeasurements();
}

QWidget* PrunePanel::buildRuleBox() {
    auto* box = new QGroupBox(tr("Pruning rule"), this);
    auto* form = new QFormLayout(box);
    m_metric->setObjectName(QStringLiteral("pruneMetric"));
    m_metric->setToolTip(tr("The metric whose ranking chooses the layers (rank 0 goes first)"));
    m_rule->addItem(tr("Number of layers"), static_cast<int>(avss::RuleKind::Count));
    m_rule->addItem(tr("Score mass (sorted, ≤ threshold)"), static_cast<int>(avss::RuleKind::Mass));
    m_rule->addItem(tr("Authors' code (mass in layer order)"), static_cast<int>(avss::RuleKind::ReferenceCode));
    m_rule->setToolTip(tr("Count: remove the N first layers in prune order.\nMass: sort ascending and remove while the normalised "
                          "score mass stays ≤ the threshold.\nAuthors' code: the same mass rule in layer order, as the published "
                          "script does (for comparison only)."));
    m_slider->setObjectName(QStringLiteral("pruneSlider"));
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_amount->setObjectName(QStringLiteral("pruneAmount"));
    m_amount->setToolTip(tr("Type the number of layers, or the mass threshold in % (to 0.1 %)"));
    m_amount->setKeyboardTracking(false);  // apply on Enter or leaving the box, not per keystroke
    auto* sliderRow = new QHBoxLayout;
    sliderRow->addWidget(m_slider, 1);
    sliderRow->addWidget(m_amount);
    auto* protectRow = new QHBoxLayout;
    protectRow->addWidget(m_protectFirst);
    protectRow->addWidget(m_protectLast);
    protectRow->addStretch();
    m_protectFirst->setChecked(m_workspace.rule().protectFirst);
    m_protectLast->setChecked(m_workspace.rule().protectLast);
    m_planText->setWordWrap(true);
    m_planText->setTextFormat(Qt::RichText);
    m_defaultNote->setObjectName(QStringLiteral("defaultMetricNote"));
    m_defaultNote->setTextFormat(Qt::RichText);
    m_defaultNote->setWordWrap(true);
    const auto& chosen = avss::defaultPruneMetric();
    m_defaultNote->setText(tr("<small>Default: %1, the best measured on the sample model (<a href=\"why\">why?</a>). "
                              "AVSS presets stay in the list.</small>")
                               .arg(metricName(toQString(chosen.id)).toHtmlEscaped()));
    m_defaultNote->setToolTip(toQString(chosen.why));
    connect(m_defaultNote, &QLabel::linkActivated, this, [this] {
        showMetricsExplained(window(), m_workspace.hasAnalysis() ? m_workspace.analysis().scores.get() : nullptr, QStringLiteral("default-metric"));
    });
    form->addRow(tr("Metric"), m_metric);
    form->addRow(m_defaultNote);
    form->addRow(tr("Rule"), m_rule);
    form->addRow(tr("Remove"), sliderRow);
    form->addRow(tr("Protect"), protectRow);
    form->addRow(m_planText);
    connect(m_metric, &QComboBox::activated, this, [this] { m_workspace.setMetric(m_metric->currentData().toString()); });
    connect(m_rule, &QComboBox::activated, this, [this] { chooseRule(static_cast<avss::RuleKind>(m_rule->currentData().toInt())); });
    connect(m_slider, &QSlider::valueChanged, this, &PrunePanel::applyRule);
    connect(m_amount, &QDoubleSpinBox::valueChanged, this, &PrunePanel::applyTyped);
    connect(m_protectFirst, &QCheckBox::toggled, this, &PrunePanel::applyRule);
    connect(m_protectLast, &QCheckBox::toggled, this, &PrunePanel::applyRule);
    return box;
}

QWidget* PrunePanel::buildMeasureBox() {
    auto* box = new QGroupBox(tr("What-if measurement"), this);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(m_taskBox);
    auto* buttons = new QHBoxLayout;
    m_measure->setObjectName(QStringLiteral("measureButton"));
    m_measure->setToolTip(tr("The chosen task's score with the plan's blocks skipped: held-out perplexity on text the analysis "
                             "did not use, or the task file's primary metric (Ctrl+M)"));
    m_cancel->setEnabled(false);
    m_export->setToolTip(tr("Write a GGUF copy without the plan's blocks (renumbered, metadata trimmed), then reload it and "
                            "compare its logits with the skip-mask forward of this model (Ctrl+E)"));
    m_measureStatus->setWordWrap(true);
    m_measureStatus->setTextFormat(Qt::RichText);
    buttons->addWidget(m_measure);
    buttons->addWidget(m_cancel);
    buttons->addStretch();
    buttons->addWidget(m_export);
    m_chart->setYFloor(0);
    m_table->setModel(m_measurements);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    m_table->setToolTip(tr("Double-click a point to restore its plan"));
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex& index) { restorePoint(index.row()); });
    layout->addLayout(buttons);
    layout->addWidget(m_measureStatus);
    m_tabs = new QTabWidget(box);  // charts and table share the space; all stay one click away
    m_tabs->addTab(m_chart, tr("Retention chart"));
    m_tabs->addTab(m_sweepView, tr("Sweep curves"));
    m_tabs->addTab(m_table, tr("Measured points"));
    // Never squeezed to the chart's title on a small screen: the dock scrolls instead (issue 13, 1024×700).
    m_tabs->setObjectName(QStringLiteral("pruneTabs"));
    m_tabs->setMinimumHeight(260);
    layout->addWidget(m_tabs, 1);
    connect(m_sweepView, &SweepView::countPicked, this, &PrunePanel::pickCount);
    connect(m_sweepView, &SweepView::sweepStarted, this, [this] { m_tabs->setCurrentWidget(m_sweepView); });
    connect(m_measure, &QPushButton::clicked, &m_jobs, &JobCenter::measure);
    connect(m_cancel, &QPushButton::clicked, this, [this] { m_jobs.cancelBusy({JobKind::Measure, JobKind::Export}); });
    connect(m_export, &QPushButton::clicked, this, &PrunePanel::chooseExportFile);
    return box;
}

bool PrunePanel::canExport() const {
    const auto& plan = m_workspace.plan();
    return m_workspace.model() && plan && !plan->removed.empty() && !m_jobs.isBusy(JobKind::Export);
}

void PrunePanel::updateButtons() {
    m_measure->setEnabled(m_workspace.plan().has_value() && !m_jobs.isBusy(JobKind::Measure));
    m_export->setEnabled(canExport());
    m_cancel->setEnabled(m_jobs.isBusy(JobKind::Measure) || m_jobs.isBusy(JobKind::Export));
}

void PrunePanel::chooseExportFile() {
    if (!canExport()) return;
    const QFileInfo source(m_workspace.modelPath());
    const bool folder = avss::prunedExportIsFolder(m_workspace.model()->info());
    const QString suggested = source.dir().filePath(QStringLiteral("%1-pruned-%2%3")
                                                        .arg(folder ? source.fileName() : source.completeBaseName())
                                                        .arg(m_workspace.plan()->removed.size())
                                                        .arg(folder ? QString() : QStringLiteral(".gguf")));
    // Either format from either source: the source's own first (bytes copied), the other one converted
    // to F32 by the core (config.json and tokenizer.json, or GGUF metadata, written from the model).
    const QString gguf = tr("GGUF model (*.gguf)"), hf = tr("Hugging Face folder (new folder name)");
    QString chosen = folder ? hf : gguf;
    const QString filters = folder ? hf + QStringLiteral(";;") + gguf : gguf + QStringLiteral(";;") + hf;
    const QString file = QFileDialog::getSaveFileName(this, tr("Export pruned model"), suggested, filters, &chosen);
    if (file.isEmpty()) return;
    const bool asFolder = chosen == hf;
    const auto format = asFolder == folder ? avss::ExportFormat::SameAsSource : asFolder ? avss::ExportFormat::HfFolder : avss::ExportFormat::Gguf;
    QString out = file;
    if (asFolder && out.endsWith(QStringLiteral(".gguf"))) out.chop(5);
    if (!asFolder && !out.endsWith(QStringLiteral(".gguf"))) out += QStringLiteral(".gguf");
    m_jobs.exportModel(out, format);
}

QString PrunePanel::describeExport(const avss::ExportResult& r) {
    QStringList removed;
    for (int l : r.removed) removed << QString::number(l);
    QString text = tr("<b>Exported</b> %1 (%2 MB): %3 → %4 blocks, removed %5.")
                       .arg(toQString(r.path).toHtmlEscaped())
                       .arg(static_cast<double>(r.bytes) / 1e6, 0, 'f', 1)
                       .arg(r.layersBefore)
                       .arg(r.kept.size())
                       .arg(removed.join(QStringLiteral(", ")));
    if (r.selfChecked) {
        text += tr("<br>Self-check passed: the reloaded file matches the skip-mask model to max |Δlogit| = %1 (max |logit| %2).")
                    .arg(r.maxLogitDiff, 0, 'g', 3)
                    .arg(r.maxLogit, 0, 'g', 3);
    }
    return text;
}

void PrunePanel::syncFromWorkspace() {
    m_syncing = true;
    m_metric->clear();
    for (const auto& info : avss::metricRegistry()) {
        const QString id = toQString(info.id);
        m_metric->addItem(toQString(info.name), id);
        m_metric->setItemData(m_metric->count() - 1, metricTooltip(id), Qt::ToolTipRole);
        if (!m_workspace.scoresFor(id) && m_workspace.hasAnalysis()) {  // not computable from these statistics
            const int row = m_metric->count() - 1;
            m_metric->setItemData(row, 0, Qt::UserRole - 1);  // disables the entry
        }
    }
    m_metric->setCurrentIndex(m_metric->findData(m_workspace.metric()));
    const auto& rule = m_workspace.rule();
    // Rules the core cannot apply to this metric (mass rules on a high-first one) are greyed out.
    const auto& metric = avss::findMetric(toUtf8(m_workspace.metric()));
    const auto applies = [&](int i) { return avss::ruleApplies(static_cast<avss::RuleKind>(m_rule->itemData(i).toInt()), metric); };
    for (int i = 0; i < m_rule->count(); ++i) m_rule->setItemData(i, applies(i) ? QVariant() : QVariant(0), Qt::UserRole - 1);
    const int current = m_rule->findData(static_cast<int>(rule.kind));
    m_rule->setCurrentIndex(current >= 0 && applies(current) ? current : 0);
    m_protectFirst->setChecked(rule.protectFirst);
    m_protectLast->setChecked(rule.protectLast);
    const bool count = m_rule->currentData().toInt() == static_cast<int>(avss::RuleKind::Count);
    // Without an analysis the model's depth bounds the slider: a range of 0 would clamp the user's K to
    // 0 while new data are being chosen, and the workspace's rule would follow (issue 13, item 9).
    m_slider->setRange(0, count ? std::max(m_workspace.layerCount(), rule.count) : 100);
    m_slider->setPageStep(count ? 1 : 5);
    m_slider->setValue(count ? rule.count : static_cast<int>(std::lround(rule.mass * 100)));
    m_slider->setEnabled(m_workspace.hasAnalysis());
    {
        const QSignalBlocker quiet(m_amount);
        m_amount->setDecimals(count ? 0 : 1);
        m_amount->setRange(0, m_slider->maximum());
        m_amount->setSingleStep(1);
        m_amount->setSuffix(count ? tr(" layers") : QStringLiteral(" %"));
        m_amount->setValue(count ? rule.count : rule.mass * 100);
        m_amount->setEnabled(m_workspace.hasAnalysis());
    }
    m_syncing = false;
    if (m_workspace.hasAnalysis()) applyRule();  // the widgets may have fallen back (a rule this metric cannot use)
}

void PrunePanel::chooseRule(avss::RuleKind kind) {
    avss::PruningRule rule = m_workspace.rule();
    const auto* scores = m_workspace.scoresFor(m_workspace.metric());
    if (scores && m_workspace.plan()) {
        rule = avss::switchRule(*scores, rule, kind);  // the same number of layers under the new rule
    } else {
        rule.kind = kind;
    }
    m_workspace.setRule(rule);
    syncFromWorkspace();
}

void PrunePanel::applyRule() {
    if (m_syncing) return;
    avss::PruningRule rule = m_workspace.rule();
    rule.kind = static_cast<avss::RuleKind>(m_rule->currentData().toInt());
    if (rule.kind == avss::RuleKind::Count) rule.count = m_slider->value();
    else rule.mass = m_slider->value() / 100.0;
    rule.protectFirst = m_protectFirst->isChecked();
    rule.protectLast = m_protectLast->isChecked();
    {
        const QSignalBlocker quiet(m_amount);
        m_amount->setValue(m_slider->value());
    }
    m_workspace.setRule(rule);
}

void PrunePanel::applyTyped(double amount) {
    if (m_syncing) return;
    avss::PruningRule rule = m_workspace.rule();
    rule.kind = static_cast<avss::RuleKind>(m_rule->currentData().toInt());
    if (rule.kind == avss::RuleKind::Count) rule.count = static_cast<int>(std::lround(amount));
    else rule.mass = amount / 100.0;  // finer than the slider's 1 % steps
    {
        const QSignalBlocker quiet(m_slider);
        m_slider->setValue(static_cast<int>(std::lround(amount)));
    }
    m_workspace.setRule(rule);
}

void PrunePanel::showPlan() {
    const auto& plan = m_workspace.plan();
    updateButtons();
    if (!plan) {
        m_planText->setText(m_workspace.planError().isEmpty() ? tr("<i>No analysis yet.</i>")
                                                              : QStringLiteral("<span style='color:#d62728'>%1</span>").arg(m_workspace.planError().toHtmlEscaped()));
        return;
    }
    auto removed = plan->removed;
    std::sort(removed.begin(), removed.end());
    QStringList blocks;
    for (int l : removed) blocks << QString::number(l);
    QString text = tr("<b>%1 of %2 layers removed</b>: %3<br><small>%4</small>")
                       .arg(removed.size())
                       .arg(plan->removed.size() + plan->kept.size())
                       .arg(blocks.isEmpty() ? tr("none") : blocks.join(QStringLiteral(", ")))
                       .arg(toQString(plan->description).toHtmlEscaped());
    for (const auto& note : plan->notes) text += QStringLiteral("<br><small><i>%1</i></small>").arg(toQString(note).toHtmlEscaped());
    m_planText->setText(text);
}

void PrunePanel::pickCount(int removed, const QString& metric) {
    if (!m_workspace.hasAnalysis()) return;
    if (!metric.isEmpty() && m_workspace.scoresFor(metric)) m_workspace.setMetric(metric);  // the curve's plans are its metric's
    avss::PruningRule rule = m_workspace.rule();
    rule.kind = avss::RuleKind::Count;
    rule.count = removed;
    m_workspace.setRule(rule);
    syncFromWorkspace();  // rule box, slider range and position follow
}

void PrunePanel::pickRemoved(int removed) {
    const auto* scores = m_workspace.scoresFor(m_workspace.metric());
    if (!m_workspace.hasAnalysis() || !scores) return;
    avss::PruningRule count = m_workspace.rule();
    const auto kind = count.kind;
    count.kind = avss::RuleKind::Count;
    count.count = removed;
    m_workspace.setRule(kind == avss::RuleKind::Count ? count : avss::switchRule(*scores, count, kind));
    syncFromWorkspace();
}

void PrunePanel::restorePoint(int row) {
    const auto& points = m_workspace.measurements().points();
    if (row < 0 || row >= static_cast<int>(points.size()) || !m_workspace.hasAnalysis()) return;
    const MeasuredPoint point = points[static_cast<std::size_t>(row)];  // a copy: the book may change below
    if (!m_workspace.scoresFor(point.metric)) {
        m_measureStatus->setText(tr("This analysis has no %1 scores to restore the point from.").arg(metricName(point.metric)));
        return;
    }
    pickCount(static_cast<int>(point.removed.size()), point.metric);
    auto now = m_workspace.plan() ? m_workspace.plan()->removed : std::vector<int>{};
    std::sort(now.begin(), now.end());
    m_measureStatus->setText(now == point.removed
                                 ? tr("Restored the measured plan: %1 blocks by %2.").arg(point.removed.size()).arg(metricName(point.metric))
                                 : tr("The count rule now removes other blocks than the measured point did (its rule: %1).").arg(point.rule));
}

void PrunePanel::showMeasurements() {
    const auto& points = m_workspace.measurements().points();
    m_measurements->setPoints(points);
    std::map<QString, ChartSeries> byMetric;
    for (const auto& p : points) {
        const QString name = p.isTask() ? QStringLiteral("%1 · %2").arg(metricName(p.metric), p.task) : metricName(p.metric);
        auto& series = byMetric[name];
        series.name = name;
        series.points.emplace_back(static_cast<double>(p.removed.size()), p.retention());
    }
    std::vector<ChartSeries> series;
    for (auto& [metric, s] : byMetric) {
        const bool hasDense = std::any_of(s.points.begin(), s.points.end(), [](const QPointF& p) { return p.x() == 0; });
        if (!hasDense) s.points.emplace_back(0.0, 1.0);  // the dense model: retention 1 by definition
        series.push_back(std::move(s));
    }
    m_chart->setXRange(0, m_workspace.hasAnalysis() ? m_workspace.analysis().stats->layerCount() : 10);
    m_chart->setSeries(series, tr("No measurements yet: choose a plan and press Measure."));
}

void PrunePanel::showJobProgress(const JobProgress& p) {
    QString text = tr("%1: %2 / %3 %4").arg(p.stage).arg(p.done).arg(p.total).arg(p.unit);
    if (p.ratePerSecond > 0) text += tr(" · %1 %2/s").arg(p.ratePerSecond, 0, 'f', 0).arg(p.unit);
    m_measureStatus->setText(text);
}

}  // namespace avss::ui
