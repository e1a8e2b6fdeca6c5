// The lesson dock: the current step's title and note beside the views it sets up, with Back and
// Next. Applying a step is the window's job (it owns the panels); this panel only navigates, and
// waits for the analysis before the first step when the lesson had to open its model.
#pragma once

#include <QWidget>
#include <functional>

#include "lesson.h"

class QLabel;
class QPushButton;

namespace avss::ui {

class Workspace;

class LessonPanel : public QWidget {
    Q_OBJECT
public:
    using Apply = std::function<void(const LessonStep&)>;
    LessonPanel(Workspace& workspace, Apply apply, QWidget* parent = nullptr);

    void start(Lesson lesson);  // shows step 1, applied once an analysis is there
    void go(int step);
    int current() const { return m_current; }
    const Lesson& lesson() const { return m_lesson; }
    QPushButton* nextButton() const { return m_next; }

private:
    void showStep();  // not show(): that would hide QWidget::show()

    Workspace& m_workspace;
    Apply m_apply;
    Lesson m_lesson;
    int m_current = -1;
    bool m_pending = false;  // the current step waits for an analysis
    QLabel* m_title;
    QLabel* m_note;
    QLabel* m_position;
    QPushButton* m_back;
    QPushButton* m_next;
};

}  // namespace avss::ui
