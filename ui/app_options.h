// Command line of avss-explorer: a model or session to open, the task to score, and the headless
// --screenshot mode.
#pragma once

#include <QString>
#include <QStringList>
#include <optional>

namespace avss::ui {

struct AppOptions {
    QString model;                 // a .gguf path or "default" (the sample model)
    QString data;                  // "builtin" or a text/JSONL file; empty = keep the default
    QString session;               // a saved session to reopen
    QString screenshot;            // render the window with a finished analysis to this PNG, then exit
    QString metric;                // metric to show and prune by
    int remove = -1;               // layers removed by the count rule (−1: leave the rule alone)
    int layer = -1;                // layer to select (−1: the first removed layer, else 0)
    bool measure = false;          // screenshot: measure the plan's retention before grabbing
    bool recompute = false;        // screenshot: analyse even when the cache has the results
    QString panel;                 // screenshot: dock to raise (prune, mitigation, detail, table)
    QString task, taskFile;        // what Measure and Sweep score (empty: held-out perplexity)
    int taskLimit = 200;           // the task's first N items (0: all)
    bool sweep = false;            // screenshot: run the retention sweep before grabbing
    QString mitigate;              // screenshot: pairs file the mitigation panel analyses and trains on first
    int mitigateSteps = 20;        // screenshot: training steps of that run
    bool compare = false;          // screenshot: then analyse the tuned model (heatmap: tuned − original)
    QString heatmapScale;          // "value" or "rank"
    bool sortedChart = false;      // the score chart in prune order (scree view)
    bool metricsPage = false;      // screenshot: grab Help ▸ Metrics explained instead of the window
    QString lens;                  // screenshot: run the logit lens on this prompt and raise its dock
    int lessonStep = 0;            // screenshot: the bundled lesson at this step (1-based; 0: none)
    int attentionBlock = -1;       // screenshot: with lens, the Attention tab at this block (-1: the predictions)
    int width = 1600, height = 1000;
};

// Parses the arguments (argv[0] included). nullopt with *message set on a usage error, or on
// --help (then *exitCode is 0).
std::optional<AppOptions> parseAppOptions(const QStringList& arguments, QString* message, int* exitCode);

// True when argv asks for --version/-v: answered before QApplication exists (no display needed).
bool wantsVersion(int argc, char** argv);

}  // namespace avss::ui
