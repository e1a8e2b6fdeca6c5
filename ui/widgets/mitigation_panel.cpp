// The mitigation panel's layout; its controls stay disabled (with the reason as tool tip) until the
// explorer runs the core's hallucination analysis and fine-tuning on its workers.
#include "widgets/mitigation_panel.h"

#include <QDoubleSpinBox>
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

#include "widgets/score_chart.h"

namespace avss::ui {
namespace {

QTableWidget* emptyTable(const QStringList& headers, QWidget* parent) {
    auto* table = new QTableWidget(0, static_cast<int>(headers.size()), parent);
    table->setHorizontalHeaderLabels(headers);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    return table;
}

}  // namespace

QString MitigationPanel::missingCoreFeatures() {
    return tr("The hallucination analysis (HSAV, HSS and EAVSS per layer) and contrastive fine-tuning of the chosen "
              "layers run from the command line in this build: avss hallu and avss mitigate (docs/hallucination.md). "
              "This panel is not connected to them yet.");
}

MitigationPanel::MitigationPanel(QWidget* parent) : QWidget(parent), m_controls(new QWidget(this)) {
    auto* layout = new QVBoxLayout(this);
    auto* banner = new QLabel(tr("<b>Not available in the explorer yet.</b> %1").arg(missingCoreFeatures().toHtmlEscaped()), this);
    banner->setWordWrap(true);
    banner->setTextFormat(Qt::RichText);
    banner->setFrameShape(QFrame::StyledPanel);
    banner->setMargin(6);
    layout->addWidget(banner);
    auto* controls = new QVBoxLayout(m_controls);
    controls->setContentsMargins(0, 0, 0, 0);
    controls->addWidget(buildLayers(), 2);
    controls->addWidget(buildTraining());
    controls->addWidget(buildResults(), 3);
    layout->addWidget(m_controls, 1);
    m_controls->setEnabled(false);
    m_controls->setToolTip(missingCoreFeatures());
}

QWidget* MitigationPanel::buildLayers() {
    auto* box = new QGroupBox(tr("Hallucination-prone layers (highest EAVSS first)"), m_controls);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(emptyTable({tr("Layer"), tr("HSAV"), tr("HSS"), tr("EAVSS"), tr("Rank")}, box));
    return box;
}

QWidget* MitigationPanel::buildTraining() {
    auto* box = new QGroupBox(tr("Contrastive fine-tuning"), m_controls);
    auto* form = new QFormLayout(box);
    auto* pairsRow = new QHBoxLayout;
    auto* pairs = new QLineEdit(box);
    pairs->setPlaceholderText(tr("JSONL with question, correct and hallucinated answers"));
    pairsRow->addWidget(pairs, 1);
    pairsRow->addWidget(new QPushButton(tr("Browse…"), box));
    auto* layers = new QSpinBox(box);
    layers->setRange(1, 64);
    layers->setValue(4);
    auto* rate = new QDoubleSpinBox(box);
    rate->setDecimals(6);
    rate->setRange(1e-6, 1e-2);
    rate->setValue(1e-4);
    auto* epochs = new QSpinBox(box);
    epochs->setRange(1, 100);
    epochs->setValue(3);
    auto* seed = new QSpinBox(box);
    seed->setRange(0, 1'000'000);
    form->addRow(tr("Pairs"), pairsRow);
    form->addRow(tr("Layers to train"), layers);
    form->addRow(tr("Learning rate"), rate);
    form->addRow(tr("Epochs"), epochs);
    form->addRow(tr("Seed"), seed);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(new QPushButton(tr("Launch fine-tuning"), box));
    buttons->addWidget(new QPushButton(tr("Cancel"), box));
    buttons->addStretch();
    form->addRow(buttons);
    return box;
}

QWidget* MitigationPanel::buildResults() {
    auto* box = new QGroupBox(tr("Training and results"), m_controls);
    auto* layout = new QHBoxLayout(box);
    auto* loss = new LineChart(tr("Contrastive loss"), tr("step"), tr("loss"), box);
    loss->setSeries({}, tr("Appears live while a fine-tuning run trains."));
    layout->addWidget(loss, 1);
    layout->addWidget(emptyTable({tr("Benchmark"), tr("Before"), tr("After"), tr("Δ")}, box), 1);
    return box;
}

}  // namespace avss::ui
