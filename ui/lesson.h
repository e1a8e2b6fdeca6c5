// A lesson: a titled sequence of explorer states (metric, blocks removed, selected layer, panel,
// sorted chart, a logit-lens prompt) each with a note for the class, read from an "avss-lesson"
// JSON file; the bundled one is :/lessons/pruning-basics.json (resources/lessons/).
#pragma once

#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace avss::ui {

struct LessonStep {
    QString title, note;     // note: rich text
    QString metric;          // empty: keep the current metric
    int remove = -1;         // blocks removed by count; -1: keep the plan
    int layer = -1;          // layer to select; -1: keep
    QString panel;           // dock to raise (MainWindow::raisePanel names)
    std::optional<bool> sorted;  // the score chart in prune order
    QString lens;            // a logit-lens prompt to run
    bool lensSkipPlan = false;
};

struct Lesson {
    QString title, model, data;  // model and data as the command line takes them ("default", "builtin")
    std::vector<LessonStep> steps;
};

// Reads and checks a lesson; std::nullopt with `error` naming the file and the problem.
std::optional<Lesson> loadLesson(const QString& path, QString* error);

constexpr const char* kBundledLesson = ":/lessons/pruning-basics.json";

}  // namespace avss::ui
