// WelcomePanel: the steps' texts and the workspace events that tick them.
#include "widgets/welcome_panel.h"

#include <QAction>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>

#include "job_center.h"
#include "workspace.h"

namespace avss::ui {
namespace {

struct StepText {
    const char* title;
    const char* body;
};

// What each step is for, in the order a newcomer takes them.
constexpr std::array<StepText, WelcomePanel::StepCount> kSteps{{
    {QT_TRANSLATE_NOOP("WelcomePanel", "Open the sample model"),
     QT_TRANSLATE_NOOP("WelcomePanel", "SmolLM2-135M-Instruct: 30 transformer blocks, small enough for any laptop. It is "
                                       "downloaded once and checked.")},
    {QT_TRANSLATE_NOOP("WelcomePanel", "Analyse it"),
     QT_TRANSLATE_NOOP("WelcomePanel", "Runs the built-in text through the model and records, for every block, how its "
                                       "activations vary and how many are near zero. Takes about half a minute; later it "
                                       "comes from the cache.")},
    {QT_TRANSLATE_NOOP("WelcomePanel", "Read the heatmap"),
     QT_TRANSLATE_NOOP("WelcomePanel", "One row per metric, one column per block. Dark cells are the blocks that metric "
                                       "would remove first. Click a block to see its numbers; F1 explains every metric.")},
    {QT_TRANSLATE_NOOP("WelcomePanel", "Move the slider"),
     QT_TRANSLATE_NOOP("WelcomePanel", "In Pruning what-if, choose how many blocks to remove. The red marks and the hatched "
                                       "columns show which ones the chosen metric picks.")},
    {QT_TRANSLATE_NOOP("WelcomePanel", "Measure what is lost"),
     QT_TRANSLATE_NOOP("WelcomePanel", "Runs held-out text with those blocks skipped: retention near 1 means the model barely "
                                       "noticed. Sweep curves do this for every count and metric.")},
    {QT_TRANSLATE_NOOP("WelcomePanel", "Look through the layers"),
     QT_TRANSLATE_NOOP("WelcomePanel", "The logit lens shows what the model would predict after each block, and the attention "
                                       "tab what each block looks at. Tick 'Skip the plan's blocks' to see what pruning changes.")},
}};

}  // namespace

WelcomePanel::WelcomePanel(Workspace& workspace, JobCenter& jobs, Actions actions, QWidget* parent)
    : QWidget(parent), m_workspace(workspace), m_summary(new QLabel(this)) {
    auto* grid = new QGridLayout;
    grid->setColumnStretch(1, 1);
    const std::array<QAction*, StepCount> buttons{actions.openSample, actions.analyse, nullptr, nullptr, actions.measure, nullptr};
    for (int s = 0; s < StepCount; ++s) {
        auto* tick = new QLabel(this);
        tick->setObjectName(QStringLiteral("welcomeTick%1").arg(s));
        tick->setAlignment(Qt::AlignTop | Qt::AlignHCenter);
        m_ticks[static_cast<std::size_t>(s)] = tick;
        auto* text = new QLabel(QStringLiteral("<b>%1. %2</b><br>%3").arg(s + 1).arg(tr(kSteps[static_cast<std::size_t>(s)].title),
                                                                              tr(kSteps[static_cast<std::size_t>(s)].body)),
                                this);
        text->setWordWrap(true);
        grid->addWidget(tick, 2 * s, 0);
        grid->addWidget(text, 2 * s, 1);
        QPushButton* button = nullptr;
        if (auto* action = buttons[static_cast<std::size_t>(s)]) {
            button = new QPushButton(action->text().remove(QLatin1Char('&')).remove(QStringLiteral("…")), this);
            connect(button, &QPushButton::clicked, action, &QAction::trigger);
            connect(action, &QAction::changed, button, [button, action] { button->setEnabled(action->isEnabled()); });
            button->setEnabled(action->isEnabled());
        } else if (s == LogitLens && actions.showLens) {
            button = new QPushButton(tr("Open the logit lens"), this);
            connect(button, &QPushButton::clicked, this, actions.showLens);
        }
        if (button) {
            button->setObjectName(QStringLiteral("welcomeButton%1").arg(s));
            grid->addWidget(button, 2 * s + 1, 1, Qt::AlignLeft);
        }
    }
    auto* title = new QLabel(tr("<h3>Getting started</h3>What a language model's layers do, and which it could lose, in six steps."), this);
    title->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title);
    layout->addLayout(grid);
    layout->addWidget(m_summary);
    layout->addStretch(1);

    connect(&m_workspace, &Workspace::modelChanged, this, [this] {
        if (m_workspace.model()) mark(OpenModel);
    });
    connect(&m_workspace, &Workspace::analysisChanged, this, [this] {
        if (!m_workspace.hasAnalysis()) return;
        mark(Analyse);
        m_planSeen = false;  // the plan the analysis brings is not the user's move
    });
    connect(&m_workspace, &Workspace::selectedLayerChanged, this, [this] {
        if (m_workspace.hasAnalysis()) mark(ReadHeatmap);
    });
    connect(&m_workspace, &Workspace::planChanged, this, [this] {
        const auto& plan = m_workspace.plan();
        if (!plan) return;
        if (!m_planSeen) {
            m_planSeen = true;
            m_firstPlan = plan->removed;
        } else if (plan->removed != m_firstPlan) {
            mark(MoveSlider);
        }
    });
    connect(&m_workspace, &Workspace::measurementsChanged, this, [this] {
        if (!m_workspace.measurements().points().empty()) mark(Measure);
    });
    connect(&jobs, &JobCenter::lensFinished, this, [this] { mark(LogitLens); });
    refresh();
}

int WelcomePanel::doneCount() const { return static_cast<int>(std::count(m_done.begin(), m_done.end(), true)); }

void WelcomePanel::mark(Step step) {
    if (m_done[step]) return;
    m_done[step] = true;
    refresh();
}

void WelcomePanel::refresh() {
    for (int s = 0; s < StepCount; ++s) {
        auto* tick = m_ticks[static_cast<std::size_t>(s)];
        tick->setText(m_done[static_cast<std::size_t>(s)] ? QStringLiteral("<span style='font-size:large'>✔</span>")
                                                          : QStringLiteral("<span style='font-size:large'>○</span>"));
        tick->setToolTip(m_done[static_cast<std::size_t>(s)] ? tr("done") : tr("not yet"));
    }
    m_summary->setText(doneCount() == StepCount ? tr("All six done. Help ▸ Metrics explained (F1) has the science behind each metric.")
                                                : tr("%1 of 6 done.").arg(doneCount()));
}

}  // namespace avss::ui
