// Task chooser: names from avss::taskNames(); the file and its items stay the core's business.
#include "widgets/task_box.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>

#include "avss/eval_task.h"
#include "job_center.h"
#include "util/qt_convert.h"
#include "workspace.h"

namespace avss::ui {

TaskBox::TaskBox(Workspace& workspace, JobCenter& jobs, QWidget* parent)
    : QWidget(parent), m_workspace(workspace), m_jobs(jobs), m_task(new QComboBox(this)), m_open(new QPushButton(tr("Open task file…"), this)),
      m_limit(new QSpinBox(this)), m_status(new QLabel(this)) {
    m_task->setObjectName(QStringLiteral("taskChooser"));
    m_task->addItem(tr("held-out perplexity"), QString());
    for (const auto& name : avss::taskNames()) m_task->addItem(toQString(name), toQString(name));
    m_task->setToolTip(tr("What Measure and Sweep score: the perplexity of the text after the calibration windows, or a "
                          "benchmark task file (docs/evaluation.md lists the formats each task reads)"));
    m_limit->setRange(0, 1000000);
    m_limit->setValue(TaskChoice{}.limit);
    m_limit->setSpecialValueText(tr("all"));
    m_limit->setSuffix(tr(" items"));
    m_limit->setToolTip(tr("Score the first N usable items of the file (0: all)"));
    m_status->setWordWrap(true);
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(new QLabel(tr("Score by"), this), 0, 0);
    grid->addWidget(m_task, 0, 1);
    grid->addWidget(m_open, 0, 2);
    grid->addWidget(m_limit, 0, 3);
    grid->addWidget(m_status, 1, 0, 1, 4);
    grid->setColumnStretch(1, 1);
    connect(m_task, &QComboBox::activated, this, &TaskBox::apply);
    connect(m_limit, &QSpinBox::editingFinished, this, &TaskBox::apply);
    connect(m_open, &QPushButton::clicked, this, &TaskBox::chooseFile);
    connect(&m_workspace, &Workspace::taskChanged, this, &TaskBox::showTask);
    connect(&m_jobs, &JobCenter::busyChanged, this, [this](JobKind kind) {
        if (kind == JobKind::Task) showTask();
    });
    showTask();
}

void TaskBox::choose(const TaskChoice& choice) {
    m_task->setCurrentIndex(std::max(0, m_task->findData(choice.name)));
    m_file = choice.file;
    m_limit->setValue(choice.limit);
    apply();
}

void TaskBox::apply() {
    TaskChoice choice;
    choice.name = m_task->currentData().toString();
    choice.file = choice.isHeldOut() ? QString() : m_file;
    choice.limit = m_limit->value();
    m_jobs.openTask(choice);
    showTask();
}

void TaskBox::chooseFile() {
    const QString file = QFileDialog::getOpenFileName(this, tr("Open a benchmark task file"), QFileInfo(m_file).absolutePath(),
                                                      tr("Task files (*.json *.jsonl *.csv *.tsv *.txt);;All files (*)"));
    if (file.isEmpty()) return;
    m_file = file;
    if (m_task->currentIndex() == 0) m_task->setCurrentIndex(1);  // a file means a task; the user corrects the name if needed
    apply();
}

void TaskBox::showTask() {
    const auto& choice = m_workspace.taskChoice();
    const bool heldOut = choice.isHeldOut();
    m_limit->setEnabled(!heldOut);
    if (heldOut) {
        m_status->setText(tr("<small>Perplexity of the held-out text (dense / pruned). Sweeps need a task file.</small>"));
    } else if (m_jobs.isBusy(JobKind::Task)) {
        m_status->setText(tr("<small>Reading %1 …</small>").arg(QFileInfo(choice.file).fileName().toHtmlEscaped()));
    } else if (const auto& task = m_workspace.taskData()) {
        m_status->setText(tr("<small>%1: %2 items from %3%4</small>")
                              .arg(toQString(task->title).toHtmlEscaped())
                              .arg(task->items.size())
                              .arg(QFileInfo(choice.file).fileName().toHtmlEscaped())
                              .arg(task->skipped.empty() ? QString() : tr(", %1 rows skipped").arg(task->skipped.size())));
    } else {
        m_status->setText(choice.file.isEmpty() ? tr("<small>Open a file for the task %1.</small>").arg(choice.name)
                                                : tr("<small>%1 could not be read as %2.</small>").arg(choice.file.toHtmlEscaped(), choice.name));
    }
}

}  // namespace avss::ui
