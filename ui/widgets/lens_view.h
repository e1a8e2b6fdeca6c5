// The logit lens in the explorer: what the model would predict after each block. A prompt goes to
// the core's logitLens() on a worker; the table has a row per layer (embeddings first, the model's
// own prediction last) and a column per prompt token, each cell the layer's top next token, coloured
// by the probability it gives the prompt's actual next token. "Skip the plan's blocks" reruns it with
// the pruning plan applied, so a student sees what removing blocks changes. docs/explorer.md.
#pragma once

#include <QWidget>
#include <memory>

#include "workers/task_types.h"

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace avss::ui {

class JobCenter;
class Workspace;

class LensView : public QWidget {
    Q_OBJECT
public:
    LensView(Workspace& workspace, JobCenter& jobs, QWidget* parent = nullptr);

    void setPrompt(const QString& text);  // and runs it when a model is loaded
    void run();
    QTableWidget* table() const { return m_table; }
    QCheckBox* skipPlanBox() const { return m_skipPlan; }
    const LensDone& shown() const { return m_done; }

private:
    void show(const LensDone& done);
    void updateControls();
    std::vector<int> skippedBlocks() const;

    Workspace& m_workspace;
    JobCenter& m_jobs;
    QLineEdit* m_prompt;
    QPushButton* m_run;
    QCheckBox* m_skipPlan;
    QLabel* m_status;
    QTableWidget* m_table;
    LensDone m_done;
};

}  // namespace avss::ui
