// runSweep: evaluates each distinct (task, removed set) of a plan once, store first, counts in
// ascending order so that curves fill from the left.
#include <chrono>
#include <iomanip>
#include <map>
#include <sstream>

#include "avss/error.h"
#include "avss/sweep.h"
#include "sweep/cell_identity.h"
#include "sweep/cell_store.h"

namespace avss {
namespace {

SweepTaskInfo taskInfo(const TaskData& t) {
    SweepTaskInfo info;
    info.task = t.task;
    info.title = t.title;
    info.format = t.format;
    info.file = t.file;
    info.metrics = metricNames(t);
    info.higherIsBetter.assign(info.metrics.size(), t.kind != TaskKind::Perplexity);
    info.items = static_cast<std::int64_t>(t.items.size());
    return info;
}

// The sets of one task in evaluation order: by count, then line; the first of each set keeps it.
struct Job {
    int line = 0, count = 0;
    const std::vector<int>* removed = nullptr;
};

std::vector<Job> jobsOf(const SweepPlan& plan) {
    std::vector<Job> jobs;
    for (std::size_t c = 0; c < plan.counts.size(); ++c) {
        for (std::size_t l = 0; l < plan.lines.size(); ++l) {
            const auto& set = plan.lines[l].removed[c];
            if (set) jobs.push_back({static_cast<int>(l), static_cast<int>(c), &*set});
        }
    }
    return jobs;
}

std::string atChanceNote(const SweepTaskInfo& task, const MetricSummary& m, bool skipped) {
    const auto num = [](double v) {
        std::ostringstream out;
        out << std::setprecision(4) << v;
        return out.str();
    };
    return task.task + ": the dense model's " + m.name + " is " + num(m.value) + " [" + num(m.ci.low) + ", " + num(m.ci.high) +
           "], not distinguishable from chance (" + num(m.floor) + "), so its retention would measure noise; " +
           (skipped ? "its pruned cells were not evaluated (ask for them with --sweep-at-chance, or Even at chance in the explorer)"
                    : "its retention is evaluated as asked, but reads as noise");
}

}  // namespace

SweepResult runSweep(const Model& model, const std::vector<TaskData>& tasks, const SweepPlan& plan,
                     const SweepOptions& options, const ProgressFn& progress, const CancelToken* cancel,
                     const SweepCellFn& onCell) {
    const auto start = std::chrono::steady_clock::now();
    const int layers = model.info().hparams.layers;
    if (plan.layers != layers) {
        throw UsageError({}, "the sweep was planned for " + std::to_string(plan.layers) + " layers; the model has " +
                                 std::to_string(layers), "Plan the sweep on this model's statistics.");
    }
    if (tasks.empty()) throw UsageError({}, "a sweep needs at least one task");
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            if (tasks[i].task == tasks[j].task) throw UsageError({}, "task " + tasks[i].task + " is listed twice", "Sweep one file per task.");
        }
    }
    for (const auto& line : plan.lines) {
        if (line.removed.size() != plan.counts.size()) throw UsageError({}, "sweep line " + line.label() + " has a set per count missing");
    }
    SweepResult result;
    result.plan = plan;
    for (const auto& t : tasks) result.tasks.push_back(taskInfo(t));
    result.cellOf.assign(tasks.size(), std::vector<std::vector<int>>(plan.lines.size(), std::vector<int>(plan.counts.size(), -1)));
    std::optional<sweep::CellStore> store;
    if (!options.cellStore.empty()) store.emplace(options.cellStore);

    const auto jobs = jobsOf(plan);
    std::int64_t totalCells = 0;
    std::vector<std::map<std::vector<int>, int>> distinct(tasks.size());
    for (std::size_t t = 0; t < tasks.size(); ++t) {
        for (const auto& j : jobs) distinct[t].emplace(*j.removed, -1);
        totalCells += static_cast<std::int64_t>(distinct[t].size());
    }
    Evaluator evaluator(std::shared_ptr<const Model>(&model, [](const Model*) {}));  // borrowed for this call
    auto eval = options.eval;
    eval.records = false;
    std::int64_t done = 0;
    report(progress, {"sweep", 0, totalCells, "cells"});
    for (std::size_t t = 0; t < tasks.size(); ++t) {
        const auto& task = tasks[t];
        const auto fingerprint = sweep::taskFingerprint(task);
        for (const auto& j : jobs) {
            auto& index = distinct[t][*j.removed];
            if (index >= 0) continue;  // filled with the first line that asked for this set
            {
                if (cancel) cancel->throwIfCancelled();
                eval.skipLayers = *j.removed;
                const auto identity = sweep::evalCellIdentity(model.info(), task, fingerprint, eval, *j.removed);
                SweepCell cell;
                cell.task = static_cast<int>(t);
                cell.removed = *j.removed;
                cell.key = identity.key();
                std::optional<sweep::CellLookup> found;
                if (store) found = store->find(identity);
                if (found && !found->problem.empty()) result.notes.push_back(found->problem);
                if (found && found->cell && !options.recompute) {
                    cell.metrics = found->cell->metrics;
                    cell.items = found->cell->items;
                    cell.seconds = found->cell->seconds;
                    cell.fromStore = true;
                    ++result.reused;
                } else {
                    const std::string stage = task.task + ", " + std::to_string(j.removed->size()) + " removed";
                    auto inner = [&](const Progress& p) { report(progress, {stage, p.done, p.total, p.unit}); };
                    const auto r = evaluator.run(task, eval, inner, cancel);
                    cell.metrics = r.metrics;
                    cell.items = r.items;
                    cell.seconds = r.seconds;
                    ++result.computed;
                    if (store && (!found || found->replaceable)) {
                        try {
                            store->store(identity, {cell.metrics, cell.items, cell.seconds});
                        } catch (const Error& e) {  // the numbers are still good: say so, go on
                            result.notes.push_back(std::string("cell not stored: ") + e.what());
                        }
                    }
                }
                index = static_cast<int>(result.cells.size());
                result.cells.push_back(std::move(cell));
                report(progress, {"sweep", ++done, totalCells, "cells"});
            }
            // Every (line, count) with this set gets the cell before the callback sees it.
            for (const auto& other : jobs) {
                if (*other.removed == *j.removed) result.cellOf[t][static_cast<std::size_t>(other.line)][static_cast<std::size_t>(other.count)] = index;
            }
            auto& info = result.tasks[t];
            const auto& dense = result.cells[static_cast<std::size_t>(index)];
            if (dense.removed.empty() && !dense.metrics.empty() && denseAtChance(dense.metrics[kPrimaryMetric])) {
                info.atChance = true;
                info.prunedSkipped = !options.evaluateAtChance;
                result.notes.push_back(atChanceNote(info, dense.metrics[kPrimaryMetric], info.prunedSkipped));
            }
            result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (onCell) onCell(result, index);
            if (info.prunedSkipped) {  // the remaining cells of this task are not scored
                totalCells -= static_cast<std::int64_t>(distinct[t].size()) - 1;
                report(progress, {"sweep", done, totalCells, "cells"});
                break;
            }
        }
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace avss
