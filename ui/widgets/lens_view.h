// The logit lens in the explorer: what the model would predict after each block. A prompt goes to
// the core's logitLens() on a worker; the table has a row per layer (embeddings first, the model's
// own prediction last) and a column per prompt token, each cell the layer's top next token, coloured
// by the probability it gives the prompt's actual next token. "Skip the plan's blocks" reruns it with
// the pruning plan applied, so a student sees what removing blocks changes. The Attention tab shows,
// from the same forward pass, one block's attention pattern (a head, or the mean of the heads);
// choosing a cell of a block in the table shows that block. docs/explorer.md.
#pragma once

#include <QWidget>
#include <memory>

#include "workers/task_types.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSpinBox;
class QTabWidget;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace avss::ui {

class AttentionGrid;
class JobCenter;
class Workspace;

class LensView : public QWidget {
    Q_OBJECT
public:
    LensView(Workspace& workspace, JobCenter& jobs, QWidget* parent = nullptr);

    void setPrompt(const QString& text);  // and runs it when a model is loaded
    void run();
    QTableWidget* table() const { return m_table; }
    AttentionGrid* attentionGrid() const { return m_grid; }
    QSpinBox* blockBox() const { return m_block; }
    QComboBox* headBox() const { return m_head; }
    QTabWidget* tabs() const { return m_tabs; }
    QCheckBox* skipPlanBox() const { return m_skipPlan; }
    const LensDone& shown() const { return m_done; }

private:
    void display(const LensDone& done);  // not show(): that would hide QWidget::show()
    void updateControls();
    void showAttention();
    std::vector<int> skippedBlocks() const;

    Workspace& m_workspace;
    JobCenter& m_jobs;
    QLineEdit* m_prompt;
    QPushButton* m_run;
    QCheckBox* m_skipPlan;
    QLabel* m_status;
    QTableWidget* m_table;
    QTabWidget* m_tabs;
    QSpinBox* m_block;
    QComboBox* m_head;
    AttentionGrid* m_grid;
    QStringList m_tokenLabels;
    LensDone m_done;
};

}  // namespace avss::ui
