// The data and settings panel. Sensible defaults come from AnalysisSettings; CUDA is offered only
// when the libtorch build has it and a GPU is present (versionInfo().cudaAvailable).
#include "widgets/data_panel.h"

#include <QAction>
#include <QButtonGroup>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

#include "avss/version.h"
#include "util/qt_convert.h"
#include "workspace.h"

namespace avss::ui {
namespace {

QSpinBox* spin(QWidget* parent, int lo, int hi, int step, const QString& tip) {
    auto* s = new QSpinBox(parent);
    s->setRange(lo, hi);
    s->setSingleStep(step);
    s->setToolTip(tip);
    s->setAccelerated(true);
    return s;
}

QToolButton* actionButton(QAction* action, QWidget* parent) {
    auto* b = new QToolButton(parent);
    b->setDefaultAction(action);
    b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    return b;
}

QString modelSummary(const avss::ModelInfo& i) {
    QStringList types;
    for (const auto& [type, count] : i.tensorTypeCounts) types << QStringLiteral("%1×%2").arg(count).arg(toQString(type));
    return QObject::tr("<b>%1</b><br>%2 · %3 layers · hidden %4 · ffn %5<br>%6 M parameters · %7 MB · %8<br>on <b>%9</b>")
        .arg(toQString(i.name).toHtmlEscaped(), toQString(i.arch))
        .arg(i.hparams.layers)
        .arg(i.hparams.hidden)
        .arg(i.hparams.ffn)
        .arg(static_cast<double>(i.parameterCount) / 1e6, 0, 'f', 1)
        .arg(static_cast<double>(i.fileBytes) / 1e6, 0, 'f', 1)
        .arg(types.join(QStringLiteral(", ")), toQString(i.device));
}

}  // namespace

DataPanel::DataPanel(Workspace& workspace, QAction* openModel, QAction* openSample, QWidget* parent)
    : QWidget(parent), m_workspace(workspace), m_modelInfo(new QLabel(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(buildModelBox(openModel, openSample));
    layout->addWidget(buildDataBox());
    layout->addWidget(buildSettingsBox());
    connect(&m_workspace, &Workspace::modelChanged, this, &DataPanel::showModel);
    connect(&m_workspace, &Workspace::dataSourceChanged, this, &DataPanel::showData);
    connect(&m_workspace, &Workspace::settingsChanged, this, &DataPanel::showSettings);
    showModel();
    showData();
    showSettings();
}

QWidget* DataPanel::buildModelBox(QAction* openModel, QAction* openSample) {
    auto* box = new QGroupBox(tr("Model"), this);
    auto* layout = new QVBoxLayout(box);
    m_modelInfo->setWordWrap(true);
    m_modelInfo->setTextFormat(Qt::RichText);
    m_modelInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(actionButton(openModel, box));
    buttons->addWidget(actionButton(openSample, box));
    layout->addWidget(m_modelInfo);
    layout->addLayout(buttons);
    return box;
}

QWidget* DataPanel::buildDataBox() {
    auto* box = new QGroupBox(tr("Calibration data"), this);
    auto* layout = new QVBoxLayout(box);
    m_builtin = new QRadioButton(tr("Built-in sample text (~3,900 tokens of English prose)"), box);
    m_file = new QRadioButton(tr("Text or JSONL dataset file:"), box);
    auto* group = new QButtonGroup(box);
    group->addButton(m_builtin);
    group->addButton(m_file);
    m_path = new QLineEdit(box);
    m_path->setReadOnly(true);
    m_path->setPlaceholderText(tr("no file chosen"));
    auto* browse = new QPushButton(tr("Browse…"), box);
    m_jsonField = new QLineEdit(box);
    m_jsonField->setToolTip(tr("JSONL: the string field that holds each document"));
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(m_path, 1);
    fileRow->addWidget(browse);
    auto* fieldRow = new QFormLayout;
    fieldRow->addRow(tr("JSONL text field"), m_jsonField);
    layout->addWidget(m_builtin);
    layout->addWidget(m_file);
    layout->addLayout(fileRow);
    layout->addLayout(fieldRow);
    connect(m_builtin, &QRadioButton::clicked, this, [this] {
        m_workspace.setDataSource(DataSource{QStringLiteral("builtin"), m_workspace.dataSource().jsonField});
    });
    connect(m_file, &QRadioButton::clicked, this, [this] {
        if (m_path->text().isEmpty()) chooseDataFile();
        else m_workspace.setDataSource(DataSource{m_path->text(), m_jsonField->text()});
    });
    connect(browse, &QPushButton::clicked, this, &DataPanel::chooseDataFile);
    connect(m_jsonField, &QLineEdit::editingFinished, this, [this] {
        m_workspace.setDataSource(DataSource{m_workspace.dataSource().source, m_jsonField->text().trimmed()});
    });
    return box;
}

QWidget* DataPanel::buildSettingsBox() {
    auto* box = new QGroupBox(tr("Analysis settings"), this);
    auto* form = new QFormLayout(box);
    m_tokens = spin(box, 16, 100'000'000, 256, tr("Calibration tokens used from the start of the text"));
    m_sequenceLength = spin(box, 2, 131072, 64, tr("Tokens per window (BOS included when the tokenizer adds one)"));
    m_batch = spin(box, 1, 256, 1, tr("Windows per forward pass"));
    m_shards = spin(box, 1, 256, 1, tr("Calibration shards: the spread of every score across them gives the error bars"));
    m_device = new QComboBox(box);
    m_device->addItem(tr("Best available"), static_cast<int>(avss::Device::Auto));
    m_device->addItem(tr("CPU"), static_cast<int>(avss::Device::Cpu));
    m_device->addItem(tr("CUDA GPU"), static_cast<int>(avss::Device::Cuda));
    if (!avss::versionInfo().cudaAvailable) {
        m_device->setItemData(2, 0, Qt::UserRole - 1);  // disabled entry
        m_device->setItemData(2, tr("This libtorch build has no CUDA, or no GPU is present"), Qt::ToolTipRole);
    }
    m_threads = spin(box, 0, std::max(1, QThread::idealThreadCount()), 1, tr("Compute threads for jobs (0 = the start-up budget)"));
    m_threads->setSpecialValueText(tr("automatic"));
    m_evalTokens = spin(box, 64, 1'000'000, 256, tr("Held-out tokens for the what-if perplexity"));
    m_cacheFile = new QLabel(box);
    m_cacheFile->setWordWrap(true);
    auto* cacheRow = new QHBoxLayout;
    auto* choose = new QPushButton(tr("Choose…"), box);
    auto* automatic = new QPushButton(tr("Automatic"), box);
    cacheRow->addWidget(m_cacheFile, 1);
    cacheRow->addWidget(choose);
    cacheRow->addWidget(automatic);
    form->addRow(tr("Tokens"), m_tokens);
    form->addRow(tr("Sequence length"), m_sequenceLength);
    form->addRow(tr("Batch"), m_batch);
    form->addRow(tr("Shards"), m_shards);
    form->addRow(tr("Device"), m_device);
    m_weights = new QComboBox(box);
    m_weights->addItem(tr("fp32 (reference)"), static_cast<int>(avss::WeightStorage::Fp32));
    m_weights->addItem(tr("bf16 (fast, AVX-512/AMX or GPU)"), static_cast<int>(avss::WeightStorage::Bf16));
    m_weights->addItem(tr("q8 (compact, CPU)"), static_cast<int>(avss::WeightStorage::Q8));
    m_weights->setToolTip(tr("bf16 halves the weights' memory and runs the matrix products in bfloat16 (much faster analysis on CPUs "
                             "with AVX-512 or AMX); q8 keeps weights as int8 blocks: ~3.6x less memory and faster generation on the "
                             "CPU. Both deviate slightly from fp32 (docs/engine.md). Changing it reloads the model."));
    form->addRow(tr("Weights"), m_weights);
    form->addRow(tr("Threads"), m_threads);
    form->addRow(tr("What-if tokens"), m_evalTokens);
    form->addRow(tr("Cache file"), cacheRow);
    for (auto* s : {m_tokens, m_sequenceLength, m_batch, m_shards, m_threads, m_evalTokens}) {
        connect(s, &QSpinBox::valueChanged, this, &DataPanel::applySettings);
    }
    connect(m_device, &QComboBox::activated, this, &DataPanel::applySettings);
    connect(m_weights, &QComboBox::activated, this, &DataPanel::applySettings);
    connect(choose, &QPushButton::clicked, this, &DataPanel::chooseCacheFile);
    connect(automatic, &QPushButton::clicked, this, [this] { m_workspace.setCacheFileOverride({}); });
    return box;
}

void DataPanel::showModel() {
    const auto& model = m_workspace.model();
    m_modelInfo->setText(model ? modelSummary(model->info()) : tr("<i>No model open.</i> Open a .gguf file or a Hugging Face folder, drop one on the window, or use the sample model."));
    m_modelInfo->setToolTip(m_workspace.modelPath());
}

void DataPanel::showData() {
    const auto& source = m_workspace.dataSource();
    m_builtin->setChecked(source.isBuiltin());
    m_file->setChecked(!source.isBuiltin());
    if (!source.isBuiltin()) m_path->setText(source.source);
    m_jsonField->setText(source.jsonField);
}

void DataPanel::showSettings() {
    m_syncing = true;
    const auto& s = m_workspace.settings();
    m_tokens->setValue(s.tokens);
    m_sequenceLength->setValue(s.sequenceLength);
    m_batch->setValue(s.batchSize);
    m_shards->setValue(s.shards);
    m_device->setCurrentIndex(m_device->findData(static_cast<int>(s.device)));
    m_weights->setCurrentIndex(m_weights->findData(static_cast<int>(s.weights)));
    m_threads->setValue(s.threads);
    m_evalTokens->setValue(s.evalTokens);
    const QString& file = m_workspace.cacheFileOverride();
    m_cacheFile->setText(file.isEmpty() ? tr("automatic") : QFileInfo(file).fileName());
    m_cacheFile->setToolTip(file.isEmpty() ? tr("One file per model, data and settings under the per-user cache folder") : file);
    m_syncing = false;
}

void DataPanel::applySettings() {
    if (m_syncing) return;
    AnalysisSettings s = m_workspace.settings();
    s.tokens = m_tokens->value();
    s.sequenceLength = m_sequenceLength->value();
    s.batchSize = m_batch->value();
    s.shards = m_shards->value();
    s.device = static_cast<avss::Device>(m_device->currentData().toInt());
    s.weights = static_cast<avss::WeightStorage>(m_weights->currentData().toInt());
    s.threads = m_threads->value();
    s.evalTokens = m_evalTokens->value();
    m_workspace.setSettings(s);
}

void DataPanel::chooseDataFile() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Calibration data"), m_path->text(),
                                                      tr("Text or JSONL (*.txt *.md *.jsonl *.ndjson *.json);;All files (*)"));
    if (file.isEmpty()) {
        showData();  // the radio buttons go back to what is in use
        return;
    }
    m_path->setText(file);
    m_workspace.setDataSource(DataSource{file, m_jsonField->text().trimmed()});
}

void DataPanel::chooseCacheFile() {
    const QString file = QFileDialog::getSaveFileName(this, tr("Analysis cache file"), m_workspace.cacheFileOverride(),
                                                      tr("HDF5 analysis cache (*.h5)"), nullptr, QFileDialog::DontConfirmOverwrite);
    if (!file.isEmpty()) m_workspace.setCacheFileOverride(file);
}

}  // namespace avss::ui
