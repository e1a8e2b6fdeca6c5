// LensView: prompt → JobCenter::lens → a table of each layer's top next token per position.
#include "widgets/lens_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "job_center.h"
#include "render/colour_map.h"
#include "widgets/attention_grid.h"
#include "util/qt_convert.h"
#include "workspace.h"

namespace avss::ui {
namespace {

// A token's text on one line: whitespace made visible, so "\n" and " the" read as such.
QString tokenText(const avss::Tokenizer& tok, avss::TokenId id) {
    auto s = toQString(tok.decode({id}));
    s.replace(QLatin1Char('\n'), QStringLiteral("↵")).replace(QLatin1Char('\t'), QStringLiteral("⇥"));
    if (s.startsWith(QLatin1Char(' '))) s.replace(0, 1, QStringLiteral("␣"));
    return s.isEmpty() ? QStringLiteral("∅") : s;
}

QString percent(double p) { return QStringLiteral("%1 %").arg(100.0 * p, 0, 'f', p < 0.01 ? 2 : 1); }

QString cellTooltip(const avss::Tokenizer& tok, const avss::LensCell& cell, avss::TokenId target, const QString& where) {
    QString html = QStringLiteral("<b>%1</b><br>").arg(where.toHtmlEscaped());
    if (target >= 0) {
        html += QObject::tr("actual next token %1: p = %2, rank %3<br>")
                    .arg(tokenText(tok, target).toHtmlEscaped(), percent(cell.targetProb))
                    .arg(cell.targetRank + 1);
    }
    html += QObject::tr("top tokens:");
    for (std::size_t k = 0; k < cell.top.size(); ++k) {
        html += QStringLiteral("<br>&nbsp;%1 &nbsp;%2").arg(tokenText(tok, cell.top[k]).toHtmlEscaped(), percent(cell.topProb[k]));
    }
    return html;
}

// Cell colour: the probability of the actual next token (light = likely), or the top-1 probability
// at the last position, which has no next token.
QColor cellColour(const avss::LensCell& cell) {
    const double p = std::isnan(cell.targetProb) ? cell.topProb.front() : cell.targetProb;
    return viridis(p);
}

}  // namespace

LensView::LensView(Workspace& workspace, JobCenter& jobs, QWidget* parent)
    : QWidget(parent), m_workspace(workspace), m_jobs(jobs), m_prompt(new QLineEdit(this)), m_run(new QPushButton(tr("Run lens"), this)),
      m_skipPlan(new QCheckBox(tr("Skip the plan's blocks"), this)), m_status(new QLabel(this)), m_table(new QTableWidget(this)),
      m_tabs(new QTabWidget(this)), m_block(new QSpinBox(this)), m_head(new QComboBox(this)), m_grid(new AttentionGrid(this)) {
    m_prompt->setObjectName(QStringLiteral("lensPrompt"));
    m_prompt->setPlaceholderText(tr("A prompt, e.g. The capital of France is"));
    m_prompt->setText(tr("The capital of France is Paris. The capital of Italy is"));
    m_skipPlan->setObjectName(QStringLiteral("lensSkipPlan"));
    m_skipPlan->setToolTip(tr("Run the lens with the pruning plan's blocks bypassed (their rows say so)"));
    m_table->setObjectName(QStringLiteral("lensTable"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_status->setWordWrap(true);
    m_status->setText(tr("Each row is a layer's guess at the next token: the embeddings first, the model's own prediction "
                         "last. Colour: the probability of the prompt's actual next token (dark = unlikely)."));

    m_block->setObjectName(QStringLiteral("attentionBlock"));
    m_head->setObjectName(QStringLiteral("attentionHead"));
    m_head->setToolTip(tr("One attention head, or the mean of the block's heads"));
    auto* attention = new QWidget(this);
    auto* choose = new QHBoxLayout;
    choose->addWidget(new QLabel(tr("Block"), attention));
    choose->addWidget(m_block);
    choose->addWidget(new QLabel(tr("Head"), attention));
    choose->addWidget(m_head, 1);
    auto* legend = new QLabel(tr("Rows: the query (each sums to 1 over the keys it may see); columns: the key. Colour: the weight "
                                 "relative to the row's largest (bright = most attended). Hover for the weight."), attention);
    legend->setWordWrap(true);
    auto* attentionLayout = new QVBoxLayout(attention);
    attentionLayout->addLayout(choose);
    attentionLayout->addWidget(m_grid, 1);
    attentionLayout->addWidget(legend);
    m_tabs->setObjectName(QStringLiteral("lensTabs"));
    m_tabs->addTab(m_table, tr("Predictions"));
    m_tabs->addTab(attention, tr("Attention"));

    auto* top = new QHBoxLayout;
    top->addWidget(m_prompt, 1);
    top->addWidget(m_run);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_skipPlan);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_status);
    connect(m_block, qOverload<int>(&QSpinBox::valueChanged), this, &LensView::showAttention);
    connect(m_head, qOverload<int>(&QComboBox::currentIndexChanged), this, &LensView::showAttention);
    connect(m_table, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (m_done.lens && row >= 1 && row <= static_cast<int>(m_done.lens->attention.size())) m_block->setValue(row - 1);
    });

    connect(m_run, &QPushButton::clicked, this, &LensView::run);
    connect(m_prompt, &QLineEdit::returnPressed, this, &LensView::run);
    connect(m_skipPlan, &QCheckBox::toggled, this, [this] {
        if (m_done.lens) run();
    });
    connect(&m_workspace, &Workspace::planChanged, this, [this] {
        updateControls();
        if (m_done.lens && m_skipPlan->isChecked() && skippedBlocks() != m_done.skipped) run();
    });
    connect(&m_workspace, &Workspace::modelChanged, this, [this] {
        m_done = {};
        m_table->clear();
        m_table->setRowCount(0);
        m_table->setColumnCount(0);
        showAttention();
        updateControls();
    });
    connect(&m_jobs, &JobCenter::lensFinished, this, &LensView::display);
    connect(&m_jobs, &JobCenter::busyChanged, this, [this](JobKind kind) {
        if (kind == JobKind::Lens) updateControls();
    });
    updateControls();
}

void LensView::setPrompt(const QString& text) {
    m_prompt->setText(text);
    if (m_workspace.model()) run();
}

std::vector<int> LensView::skippedBlocks() const {
    const auto& plan = m_workspace.plan();
    return m_skipPlan->isChecked() && plan ? plan->removed : std::vector<int>{};
}

void LensView::run() {
    if (!m_workspace.model() || m_prompt->text().trimmed().isEmpty()) return;
    m_status->setText(tr("Running the lens …"));
    m_jobs.lens(m_prompt->text(), skippedBlocks());  // with attention: the same forward pass
}

void LensView::showAttention() {
    if (!m_done.lens || m_done.lens->attention.empty()) {
        m_grid->setPattern({}, {}, tr("Run the lens to see the attention of each block."));
        return;
    }
    const auto& lens = *m_done.lens;
    const int block = m_block->value(), head = m_head->currentIndex() - 1;  // -1: the mean
    const auto& a = lens.attention[static_cast<std::size_t>(block)];
    if (a.empty()) {
        m_grid->setPattern({}, {}, tr("Block %1 is skipped by the plan: it attends to nothing.").arg(block));
        return;
    }
    const auto T = lens.tokens.size(), cells = T * T;
    std::vector<float> pattern(cells, 0.0f);
    for (int h = 0; h < lens.heads; ++h) {
        if (head >= 0 && h != head) continue;
        const float scale = head >= 0 ? 1.0f : 1.0f / static_cast<float>(lens.heads);
        for (std::size_t i = 0; i < cells; ++i) pattern[i] += scale * a[static_cast<std::size_t>(h) * cells + i];
    }
    m_grid->setPattern(std::move(pattern), m_tokenLabels);
}

void LensView::updateControls() {
    const bool model = m_workspace.model() != nullptr;
    m_run->setEnabled(model && !m_jobs.isBusy(JobKind::Lens));
    m_skipPlan->setEnabled(model && m_workspace.plan().has_value());
    if (!model) m_status->setText(tr("Open a model to look through its layers."));
}

void LensView::display(const LensDone& done) {
    m_done = done;
    const auto& lens = *done.lens;
    const auto& tok = done.model->tokenizer();
    const int columns = static_cast<int>(lens.tokens.size());
    const int rows = static_cast<int>(lens.rows.size()) + 1;  // + the model's own prediction
    m_table->clear();
    m_table->setColumnCount(columns);
    m_table->setRowCount(rows);
    QStringList header;
    for (const auto id : lens.tokens) header << tokenText(tok, id);
    m_table->setHorizontalHeaderLabels(header);
    m_tokenLabels = header;
    for (int r = 0; r < rows - 1; ++r) {
        const auto& row = lens.rows[static_cast<std::size_t>(r)];
        const QString name = row.layer < 0 ? tr("embeddings") : tr("block %1").arg(row.layer);
        m_table->setVerticalHeaderItem(r, new QTableWidgetItem(name));
        for (int c = 0; c < columns; ++c) {
            auto* item = new QTableWidgetItem;
            if (row.skipped) {
                item->setText(tr("skipped"));
                item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
                item->setToolTip(tr("%1 is bypassed by the plan: its stream is the row above's").arg(name));
            } else {
                const auto& cell = row.positions[static_cast<std::size_t>(c)];
                const auto target = lens.targets[static_cast<std::size_t>(c)];
                const QColor bg = cellColour(cell);
                item->setText(tokenText(tok, cell.top.front()));
                item->setBackground(bg);
                item->setForeground(bg.lightnessF() > 0.55 ? Qt::black : Qt::white);
                item->setToolTip(cellTooltip(tok, cell, target, tr("%1, after %2").arg(name, header[c])));
            }
            m_table->setItem(r, c, item);
        }
    }
    m_table->setVerticalHeaderItem(rows - 1, new QTableWidgetItem(tr("model")));
    for (int c = 0; c < columns; ++c) {
        auto* item = new QTableWidgetItem(tokenText(tok, lens.prediction[static_cast<std::size_t>(c)]));
        QFont bold = item->font();
        bold.setBold(true);
        item->setFont(bold);
        item->setToolTip(tr("The model's own next-token prediction after %1").arg(header[c]));
        m_table->setItem(rows - 1, c, item);
    }
    // The last position's last layers are where the prediction forms: show them once laid out.
    QTimer::singleShot(0, m_table, [table = m_table, rows, columns] {
        if (auto* item = table->item(rows - 1, columns - 1)) table->scrollToItem(item);
    });
    {
        const QSignalBlocker quietBlock(m_block), quietHead(m_head);
        const int heads = lens.heads, block = m_block->value(), head = m_head->currentIndex();
        m_block->setRange(0, std::max(0, static_cast<int>(lens.attention.size()) - 1));
        m_block->setValue(block);
        m_head->clear();
        m_head->addItem(tr("mean of the %1 heads").arg(heads));
        for (int h = 0; h < heads; ++h) m_head->addItem(tr("head %1").arg(h));
        m_head->setCurrentIndex(std::clamp(head, 0, heads));
    }
    showAttention();
    auto sorted = done.skipped;
    std::sort(sorted.begin(), sorted.end());
    QStringList skipped;
    for (const int l : sorted) skipped << QString::number(l);
    m_status->setText(done.skipped.empty() ? tr("%1 tokens through %2 blocks.").arg(columns).arg(rows - 2)
                                           : tr("%1 tokens, blocks %2 skipped.").arg(columns).arg(skipped.join(QStringLiteral(", "))));
    updateControls();
}

}  // namespace avss::ui
