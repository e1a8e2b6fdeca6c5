// LessonPanel navigation.
#include "widgets/lesson_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>

#include "workspace.h"

namespace avss::ui {

LessonPanel::LessonPanel(Workspace& workspace, Apply apply, QWidget* parent)
    : QWidget(parent), m_workspace(workspace), m_apply(std::move(apply)), m_title(new QLabel(this)), m_note(new QLabel(this)),
      m_position(new QLabel(this)), m_back(new QPushButton(tr("◀ Back"), this)), m_next(new QPushButton(tr("Next ▶"), this)) {
    m_title->setWordWrap(true);
    m_note->setWordWrap(true);
    m_note->setTextFormat(Qt::RichText);
    m_note->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_back->setObjectName(QStringLiteral("lessonBack"));
    m_next->setObjectName(QStringLiteral("lessonNext"));
    auto* nav = new QHBoxLayout;
    nav->addWidget(m_back);
    nav->addWidget(m_position, 1, Qt::AlignCenter);
    nav->addWidget(m_next);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_note, 1);
    layout->addLayout(nav);
    connect(m_back, &QPushButton::clicked, this, [this] { go(m_current - 1); });
    connect(m_next, &QPushButton::clicked, this, [this] { go(m_current + 1); });
    connect(&m_workspace, &Workspace::analysisChanged, this, [this] {
        if (m_pending && m_workspace.hasAnalysis()) go(m_current);
    });
    m_title->setText(tr("<h3>Lessons</h3>"));
    m_note->setText(tr("Help ▸ Lesson opens a guided tour of the sample model: each step sets up the views and says what to look at."));
    m_back->setEnabled(false);
    m_next->setEnabled(false);
}

void LessonPanel::start(Lesson lesson) {
    m_lesson = std::move(lesson);
    m_current = -1;
    go(0);
}

void LessonPanel::go(int step) {
    if (m_lesson.steps.empty()) return;
    m_current = std::clamp(step, 0, static_cast<int>(m_lesson.steps.size()) - 1);
    m_pending = !m_workspace.hasAnalysis();
    if (!m_pending) m_apply(m_lesson.steps[static_cast<std::size_t>(m_current)]);
    showStep();
}

void LessonPanel::showStep() {
    const auto& s = m_lesson.steps[static_cast<std::size_t>(m_current)];
    m_title->setText(QStringLiteral("<h3>%1</h3><b>%2</b>").arg(m_lesson.title.toHtmlEscaped(), s.title.toHtmlEscaped()));
    m_note->setText(m_pending ? tr("<p><i>Waiting for the model and its analysis …</i></p>") + s.note : s.note);
    m_position->setText(tr("step %1 of %2").arg(m_current + 1).arg(m_lesson.steps.size()));
    m_back->setEnabled(m_current > 0);
    m_next->setEnabled(m_current + 1 < static_cast<int>(m_lesson.steps.size()));
}

}  // namespace avss::ui
