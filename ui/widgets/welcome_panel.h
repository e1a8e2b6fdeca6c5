// Getting started: the first-run path as a checklist. Six steps (open the sample model, analyse,
// read the heatmap, move the slider, measure, look through the layers with the logit lens), each
// with a line of what to look at and, where one helps, a button that does it. A step ticks itself
// when the user has done it, by any route (menu, panel, this page). Shown on first launch.
#pragma once

#include <QWidget>
#include <array>
#include <functional>
#include <vector>

class QAction;
class QLabel;

namespace avss::ui {

class JobCenter;
class Workspace;

class WelcomePanel : public QWidget {
    Q_OBJECT
public:
    enum Step { OpenModel, Analyse, ReadHeatmap, MoveSlider, Measure, LogitLens, StepCount };
    struct Actions {
        QAction* openSample;
        QAction* analyse;
        QAction* measure;
        std::function<void()> showLens;  // raises the Logit lens dock and runs its prompt
    };
    WelcomePanel(Workspace& workspace, JobCenter& jobs, Actions actions, QWidget* parent = nullptr);

    bool isDone(Step step) const { return m_done[step]; }
    int doneCount() const;

private:
    void mark(Step step);
    void refresh();

    Workspace& m_workspace;
    std::array<bool, StepCount> m_done{};
    std::array<QLabel*, StepCount> m_ticks{};
    QLabel* m_summary;
    std::vector<int> m_firstPlan;  // the plan the analysis came with: moving the slider changes it
    bool m_planSeen = false;
};

}  // namespace avss::ui
