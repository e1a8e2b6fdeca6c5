// The task chooser of the pruning panel: held-out perplexity (the analysis text) or a benchmark
// task file with an item limit. A change goes to JobCenter::openTask, which reads the file on a worker.
#pragma once

#include <QWidget>

#include "workers/task_types.h"

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace avss::ui {

class JobCenter;
class Workspace;

class TaskBox : public QWidget {
    Q_OBJECT
public:
    TaskBox(Workspace& workspace, JobCenter& jobs, QWidget* parent = nullptr);
    void choose(const TaskChoice& choice);  // sets the widgets and opens the task (tests, screenshots)

private:
    void apply();         // widgets → JobCenter::openTask
    void chooseFile();
    void showTask();      // the workspace's task → the status line

    Workspace& m_workspace;
    JobCenter& m_jobs;
    QComboBox* m_task;
    QPushButton* m_open;
    QSpinBox* m_limit;
    QLabel* m_status;
    QString m_file;
};

}  // namespace avss::ui
