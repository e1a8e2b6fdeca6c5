// The mitigation panel (see mitigation_panel.h): presents the core's EAVSS scores and the
// trainer's steps; every number shown comes from the worker's results.
#include "widgets/mitigation_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

#include "util/qt_convert.h"
#include "widgets/line_chart.h"
#include "workspace.h"

namespace avss::ui {
namespace {

QTableWidget* table(const QStringList& headers, QWidget* parent) {
    auto* t = new QTableWidget(0, static_cast<int>(headers.size()), parent);
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    return t;
}

QTableWidgetItem* number(double v, int decimals = 4) {
    auto* item = new QTableWidgetItem(std::isfinite(v) ? QString::number(v, 'f', decimals) : QObject::tr("n/a"));
    // Roles as int, never as enum QVariants: an enum's metatype code instantiated here is exported
    // from the executable and interposes on the Qt 5 that OpenCV's highgui loads (an ASan crash).
    item->setData(Qt::TextAlignmentRole, static_cast<int>(Qt::AlignRight | Qt::AlignVCenter));
    return item;
}

QString withSd(const LayerScore& s) {
    return std::isfinite(s.sd) ? QStringLiteral("%1 ± %2").arg(s.value, 0, 'g', 3).arg(s.sd, 0, 'g', 1) : QString::number(s.value, 'g', 3);
}

}  // namespace

MitigationPanel::MitigationPanel(Workspace& workspace, QString cacheDir, QWidget* parent)
    : QWidget(parent), m_workspace(workspace), m_cacheDir(std::move(cacheDir)) {
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildSource());
    layout->addWidget(buildLayers(), 2);
    layout->addWidget(buildTraining());
    layout->addWidget(buildResults(), 3);
    auto* w = m_worker.worker();
    connect(w, &MitigationWorker::analysed, this, &MitigationPanel::onAnalysed);
    connect(w, &MitigationWorker::stepped, this, &MitigationPanel::onStep);
    connect(w, &MitigationWorker::trained, this, &MitigationPanel::onTrained);
    connect(w, &MitigationWorker::compared, this, &MitigationPanel::onCompared);
    connect(&m_workspace, &Workspace::taskChanged, this, &MitigationPanel::showTaskChoice);
    connect(&m_workspace, &Workspace::analysisChanged, this, &MitigationPanel::updateButtons);
    connect(w, &JobWorker::failed, this, [this](quint64 id, const QString& message) {
        if (id != m_current) return;
        m_status->setText(tr("Failed: %1").arg(message));
        setBusy(false);
    });
    connect(w, &JobWorker::cancelled, this, [this](quint64 id) {
        if (id != m_current) return;
        m_status->setText(m_lastStep > 0 ? tr("Cancelled at step %1; Resume continues from there.").arg(m_lastStep) : tr("Cancelled."));
        setBusy(false);
    });
    connect(&m_workspace, &Workspace::modelChanged, this, [this] {
        m_scores.reset();
        m_scoresSpec.reset();
        m_tuned.reset();
        m_layers->setRowCount(0);
        m_canResume = false;
        updateButtons();
    });
    showTaskChoice();
    updateButtons();
}

MitigationPanel::~MitigationPanel() = default;

QWidget* MitigationPanel::buildSource() {
    auto* box = new QGroupBox(tr("Truthful and hallucinated answers"), this);
    auto* row = new QHBoxLayout(box);
    m_pairs = new QLineEdit(box);
    m_pairs->setPlaceholderText(tr("TruthfulQA.csv, HaluEval QA JSONL, or JSONL {question, truthful, hallucinated}"));
    auto* browse = new QPushButton(tr("Browse…"), box);
    connect(browse, &QPushButton::clicked, this, [this] {
        const auto path = QFileDialog::getOpenFileName(this, tr("Answer pairs"), m_pairs->text(), tr("Pairs (*.csv *.json *.jsonl);;All files (*)"));
        if (!path.isEmpty()) m_pairs->setText(path);
    });
    m_format = new QComboBox(box);
    m_format->addItems({QStringLiteral("auto"), QStringLiteral("truthfulqa"), QStringLiteral("halueval"), QStringLiteral("pairs")});
    m_format->setToolTip(tr("auto: .csv is TruthfulQA, anything else HaluEval QA"));
    m_analyse = new QPushButton(tr("Find prone layers"), box);
    connect(m_analyse, &QPushButton::clicked, this, &MitigationPanel::analyse);
    connect(m_pairs, &QLineEdit::textChanged, this, [this] { updateButtons(); });
    row->addWidget(m_pairs, 1);
    row->addWidget(browse);
    row->addWidget(m_format);
    row->addWidget(m_analyse);
    return box;
}

QWidget* MitigationPanel::buildLayers() {
    auto* box = new QGroupBox(tr("Hallucination-prone layers (EAVSS, highest first; checked layers train)"), this);
    auto* layout = new QVBoxLayout(box);
    m_layers = table({tr("Layer"), tr("HSAV"), tr("HSS"), tr("EAVSS ± sd"), tr("Rank")}, box);
    layout->addWidget(m_layers);
    return box;
}

QWidget* MitigationPanel::buildTraining() {
    auto* box = new QGroupBox(tr("Contrastive fine-tuning of the checked layers only"), this);
    auto* form = new QFormLayout(box);
    m_topK = new QSpinBox(box);
    m_topK->setRange(1, 256);
    m_topK->setValue(4);
    m_topK->setToolTip(tr("Check the k highest-EAVSS layers"));
    connect(m_topK, qOverload<int>(&QSpinBox::valueChanged), this, [this] { checkTopK(); });
    m_steps = new QSpinBox(box);
    m_steps->setRange(1, 1'000'000);
    m_steps->setValue(50);
    m_rate = new QDoubleSpinBox(box);
    m_rate->setDecimals(6);
    m_rate->setRange(1e-7, 1e-2);
    m_rate->setSingleStep(1e-5);
    m_rate->setValue(5e-5);
    m_pairsPerStep = new QSpinBox(box);
    m_pairsPerStep->setRange(1, 256);
    m_pairsPerStep->setValue(8);
    m_seed = new QSpinBox(box);
    m_seed->setRange(0, 1'000'000);
    m_heldOut = new QSpinBox(box);
    m_heldOut->setRange(1, 100'000);
    m_heldOut->setValue(100);
    m_heldOut->setToolTip(tr("Odd questions of the file scored before and after (training uses the even ones)"));
    form->addRow(tr("Top k by EAVSS"), m_topK);
    form->addRow(tr("Steps"), m_steps);
    form->addRow(tr("Learning rate (AdamW)"), m_rate);
    form->addRow(tr("Pairs per step"), m_pairsPerStep);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Held-out questions"), m_heldOut);
    m_scoreTask = new QCheckBox(box);
    m_scoreTask->setToolTip(tr("Score the task chosen under Pruning what-if on the original and the tuned model, leaving out its "
                               "items whose question is a training question"));
    form->addRow(m_scoreTask);
    auto* buttons = new QHBoxLayout;
    m_launch = new QPushButton(tr("Launch"), box);
    m_resume = new QPushButton(tr("Resume"), box);
    m_cancel = new QPushButton(tr("Cancel"), box);
    m_compare = new QPushButton(tr("Compare"), box);
    m_compare->setToolTip(tr("Analyse the tuned model on the same data, settings and pairs; the heatmap then shows tuned − original"));
    connect(m_compare, &QPushButton::clicked, this, &MitigationPanel::compare);
    connect(m_launch, &QPushButton::clicked, this, &MitigationPanel::launch);
    connect(m_resume, &QPushButton::clicked, this, &MitigationPanel::resume);
    connect(m_cancel, &QPushButton::clicked, this, &MitigationPanel::cancel);
    buttons->addWidget(m_launch);
    buttons->addWidget(m_resume);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_compare);
    buttons->addStretch();
    form->addRow(buttons);
    m_status = new QLabel(tr("Open a model and a pairs file, then find the prone layers."), box);
    m_status->setWordWrap(true);
    form->addRow(m_status);
    return box;
}

QWidget* MitigationPanel::buildResults() {
    auto* box = new QGroupBox(tr("Training and results"), this);
    auto* layout = new QVBoxLayout(box);  // stacked: the dock is narrow, the table needs its width
    m_loss = new LineChart(tr("Loss"), tr("step"), tr("loss"), box);
    m_loss->setSeries({}, tr("Appears live while a fine-tuning run trains."));
    layout->addWidget(m_loss, 1);
    m_results = table({tr("Held-out pairs"), tr("Before"), tr("After"), tr("Δ")}, box);
    m_results->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_results->setMinimumHeight(120);
    layout->addWidget(m_results);
    return box;
}

QString MitigationPanel::status() const { return m_status->text(); }

avss::PairSpec MitigationPanel::pairSpec() const {
    avss::PairSpec spec;
    spec.file = toPath(m_pairs->text());
    spec.format = avss::pairFormatFor(toUtf8(m_format->currentText()), spec.file);
    return spec;
}

void MitigationPanel::setPairsFile(const QString& path, const QString& format) {
    m_pairs->setText(path);
    m_format->setCurrentText(format);
}

void MitigationPanel::setBusy(bool busy) {
    m_busy = busy;
    updateButtons();
    Q_EMIT busyChanged(busy);
}

void MitigationPanel::updateButtons() {
    const bool ready = m_workspace.model() != nullptr && !m_busy;
    m_analyse->setEnabled(ready && !m_pairs->text().isEmpty());
    m_launch->setEnabled(ready && m_scores != nullptr);
    m_resume->setEnabled(ready && m_canResume);
    m_compare->setEnabled(ready && m_tuned != nullptr && m_workspace.hasAnalysis());
    m_cancel->setEnabled(m_busy);
}

std::vector<int> MitigationPanel::checkedLayers() const {
    std::vector<int> out;
    for (int r = 0; r < m_layers->rowCount(); ++r) {
        const auto* item = m_layers->item(r, 0);
        if (item->data(Qt::CheckStateRole).toInt() == Qt::Checked) out.push_back(item->data(Qt::UserRole).toInt());
    }
    std::sort(out.begin(), out.end());
    return out;
}

void MitigationPanel::toggleLayer(int layer) {
    if (m_busy) return;  // the run's layers are fixed while it trains
    for (int r = 0; r < m_layers->rowCount(); ++r) {
        auto* item = m_layers->item(r, 0);
        if (item->data(Qt::UserRole).toInt() != layer) continue;
        const bool on = item->data(Qt::CheckStateRole).toInt() == Qt::Checked;
        item->setData(Qt::CheckStateRole, static_cast<int>(on ? Qt::Unchecked : Qt::Checked));
        m_status->setText(on ? tr("Layer %1 will not be trained.").arg(layer) : tr("Layer %1 will be trained.").arg(layer));
        updateButtons();
        return;
    }
}

void MitigationPanel::checkTopK() {
    for (int r = 0; r < m_layers->rowCount(); ++r) {
        m_layers->item(r, 0)->setData(Qt::CheckStateRole, static_cast<int>(r < m_topK->value() ? Qt::Checked : Qt::Unchecked));
    }
}

void MitigationPanel::analyse() {
    if (!m_workspace.model()) return;
    HalluJob job;
    job.jobId = m_current = m_nextId++;
    job.model = m_workspace.model();
    job.pairs = pairSpec();
    job.cacheDir = m_cacheDir;
    m_analysingSpec = job.pairs;
    m_analysing = QStringLiteral("%1 (%2)").arg(toQString(job.pairs.file.filename().string()), QString::fromLatin1(avss::pairFormatName(job.pairs.format)));
    job.topK = -1;  // the core's rule (a quarter of the layers) picks k; the spin box then changes it
    m_status->setText(tr("Collecting truthful and hallucinated answer statistics…"));
    setBusy(true);
    QMetaObject::invokeMethod(m_worker.worker(), [w = m_worker.worker(), job] { w->analyse(job); }, Qt::QueuedConnection);
}

void MitigationPanel::onAnalysed(const HalluDone& done) {
    if (done.jobId != m_current) return;
    m_scores = done.scores;
    m_canResume = false;
    const auto& s = *m_scores;
    m_layers->setRowCount(static_cast<int>(s.eavss.layers.size()));
    for (int r = 0; r < m_layers->rowCount(); ++r) {  // rows in EAVSS order: the most prone first
        const int l = s.eavss.pruneOrder[static_cast<std::size_t>(r)];
        auto* layer = new QTableWidgetItem(QString::number(l));
        layer->setData(Qt::UserRole, l);
        layer->setFlags(layer->flags() | Qt::ItemIsUserCheckable);
        m_layers->setItem(r, 0, layer);
        m_layers->setItem(r, 1, new QTableWidgetItem(s.hsav ? withSd(s.hsav->layers[static_cast<std::size_t>(l)]) : QString()));
        m_layers->setItem(r, 2, new QTableWidgetItem(s.hss ? withSd(s.hss->layers[static_cast<std::size_t>(l)]) : QString()));
        m_layers->setItem(r, 3, new QTableWidgetItem(withSd(s.eavss.layers[static_cast<std::size_t>(l)])));
        m_layers->setItem(r, 4, number(r, 0));
    }
    m_topK->setValue(static_cast<int>(s.selected.size()));
    checkTopK();
    m_scoresSource = m_analysing;
    m_scoresSpec = m_analysingSpec;
    m_workspace.addHallucination(m_analysing, m_scores);  // its rows join the heatmap
    QString text = tr("%1 pairs%2: EAVSS (%3 on %4), shard agreement τ %5.")
                       .arg(done.pairs)
                       .arg(done.fromCache ? tr(" (from the cache)") : QString())
                       .arg(QString::fromStdString(s.variant), QString::fromStdString(s.base))
                       .arg(s.eavss.stability.kendallTauMean, 0, 'f', 2);
    for (const auto& w : s.warnings) text += QStringLiteral(" ") + QString::fromStdString(w);
    m_status->setText(text);
    setBusy(false);
}

void MitigationPanel::launch() { startTraining(false); }
void MitigationPanel::resume() { startTraining(true); }

void MitigationPanel::startTraining(bool resume) {
    if (!m_workspace.model() || (!resume && !m_scores)) return;
    TrainJob job;
    job.jobId = m_current = m_nextId++;
    job.model = m_workspace.model();
    job.pairs = pairSpec();
    job.options.layers = checkedLayers();
    job.options.learningRate = m_rate->value();
    job.options.pairsPerStep = m_pairsPerStep->value();
    job.options.seed = static_cast<std::uint64_t>(m_seed->value());
    job.steps = m_steps->value();
    job.heldOutQuestions = m_heldOut->value();
    if (m_scoreTask->isChecked() && !m_workspace.taskChoice().isHeldOut()) job.task = m_workspace.taskChoice().spec();
    job.resume = resume;
    if (job.options.layers.empty()) {
        m_status->setText(tr("Check at least one layer to train."));
        return;
    }
    if (!resume) {
        m_contrastive.clear();
        m_lm.clear();
        m_lastStep = 0;
        m_results->setRowCount(0);
        m_loss->setSeries({}, tr("Scoring the held-out pairs before training…"));
    }
    m_clock.start();
    m_clockFromStep = m_lastStep;
    m_canResume = true;
    m_status->setText(resume ? tr("Resuming at step %1…").arg(m_lastStep + 1) : tr("Scoring the held-out pairs, then training…"));
    setBusy(true);
    QMetaObject::invokeMethod(m_worker.worker(), [w = m_worker.worker(), job] { w->train(job); }, Qt::QueuedConnection);
}

void MitigationPanel::cancel() {
    if (m_busy) m_worker.worker()->cancel(m_current);
}

void MitigationPanel::onStep(quint64 jobId, const avss::TrainStep& s) {
    if (jobId != m_current) return;
    m_lastStep = s.step;
    m_contrastive.emplace_back(s.step, s.contrastive);
    m_lm.emplace_back(s.step, s.lm);
    m_loss->setXRange(1, std::max(m_steps->value(), 2));  // the whole run's steps: points appear left to right
    m_loss->setSeries({{tr("contrastive"), m_contrastive}, {tr("LM (truthful NLL)"), m_lm}}, QString());
    const double perStep = m_clock.elapsed() / 1000.0 / std::max(1, s.step - m_clockFromStep);
    m_status->setText(tr("Step %1 of %2 · loss %3 · %4 s/step · ETA %5 s")
                          .arg(s.step)
                          .arg(m_steps->value())
                          .arg(s.loss, 0, 'f', 4)
                          .arg(perStep, 0, 'f', 2)
                          .arg(perStep * std::max(0, m_steps->value() - s.step), 0, 'f', 0));
}

void MitigationPanel::onTrained(const TrainDone& done) {
    if (done.jobId != m_current) return;
    m_tuned = done.tuned;
    const auto& b = done.before;
    const auto& a = done.after;
    struct Row {
        QString name, before, after;
        double change;
    };
    std::vector<Row> rows = {
        {tr("preference accuracy"), QString::number(b.accuracy, 'f', 4), QString::number(a.accuracy, 'f', 4), a.accuracy - b.accuracy},
        {tr("margin ℓT − ℓH"), QString::number(b.meanMargin, 'f', 4), QString::number(a.meanMargin, 'f', 4), a.meanMargin - b.meanMargin},
        {tr("truthful NLL"), QString::number(b.truthfulNll, 'f', 4), QString::number(a.truthfulNll, 'f', 4), a.truthfulNll - b.truthfulNll}};
    if (done.taskBefore && done.taskAfter) {
        const auto cell = [](const avss::MetricSummary& m) {
            return QStringLiteral("%1 [%2, %3]").arg(m.value, 0, 'f', 4).arg(m.ci.low, 0, 'f', 3).arg(m.ci.high, 0, 'f', 3);
        };
        for (const auto& m : done.taskBefore->metrics) {
            const auto* after = done.taskAfter->metric(m.name);
            if (after == nullptr) continue;
            rows.push_back({tr("%1 %2 (%3 items)").arg(QString::fromStdString(done.taskBefore->task), QString::fromStdString(m.name))
                                .arg(done.taskBefore->items),
                            cell(m), cell(*after), after->value - m.value});
        }
    }
    m_results->setHorizontalHeaderItem(0, new QTableWidgetItem(tr("Held-out (%1 pairs)").arg(b.pairs)));
    m_results->setRowCount(static_cast<int>(rows.size()));
    for (int r = 0; r < static_cast<int>(rows.size()); ++r) {
        const auto& row = rows[static_cast<std::size_t>(r)];
        m_results->setItem(r, 0, new QTableWidgetItem(row.name));
        m_results->setItem(r, 1, new QTableWidgetItem(row.before));
        m_results->setItem(r, 2, new QTableWidgetItem(row.after));
        m_results->setItem(r, 3, number(row.change));
    }
    QString layers;
    for (int l : done.layers) layers += (layers.isEmpty() ? QString() : QStringLiteral(",")) + QString::number(l);
    m_status->setText(tr("Trained layers %1 for %2 steps; held-out odd questions scored before and after.").arg(layers).arg(done.step));
    setBusy(false);
}

void MitigationPanel::showTaskChoice() {
    const auto& choice = m_workspace.taskChoice();
    m_scoreTask->setEnabled(!choice.isHeldOut());
    m_scoreTask->setText(choice.isHeldOut() ? tr("Score a benchmark before and after (choose one under Pruning what-if)")
                                            : tr("Score %1 before and after (first %2 items)").arg(choice.name).arg(choice.limit));
}

void MitigationPanel::compare() {
    if (!m_tuned || !m_workspace.hasAnalysis() || m_busy) return;
    CompareJob job;
    job.jobId = m_current = m_nextId++;
    job.analysis.jobId = job.jobId;
    job.analysis.model = m_tuned;
    job.analysis.data = m_workspace.dataSource();
    job.analysis.options = m_workspace.settings().collectOptions();
    job.analysis.cacheDir = m_cacheDir;
    job.originalStats = m_workspace.analysis().stats;
    if (m_scoresSpec && m_scores) {
        job.pairs = m_scoresSpec;
        job.halluSource = m_scoresSource;
        job.topK = static_cast<int>(m_scores->selected.size());
    }
    job.label = tr("tuned (%1 steps)").arg(m_lastStep);
    m_status->setText(tr("Analysing the tuned model on the same data and settings…"));
    setBusy(true);
    QMetaObject::invokeMethod(m_worker.worker(), [w = m_worker.worker(), job] { w->compare(job); }, Qt::QueuedConnection);
}

void MitigationPanel::onCompared(const CompareDone& done) {
    if (done.jobId != m_current) return;
    m_workspace.setComparison(done.comparison);
    m_status->setText(tr("The tuned model is analysed: the heatmap shows tuned − original (its Model box switches)."));
    setBusy(false);
}

}  // namespace avss::ui
