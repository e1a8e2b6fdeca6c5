// avss sweep MODEL --task NAME=FILE,...: metrics × removed blocks × tasks, each cell scored as
// `avss eval --skip-layers` would and kept next to the analysis's statistics, so a sweep resumes.
#include <iomanip>
#include <iostream>

#include "../commands.h"
#include "../context.h"
#include "../measured_args.h"
#include "../number_text.h"
#include "../pruning_args.h"
#include "../stats_args.h"
#include "../task_args.h"
#include "avss/error.h"
#include "avss/sweep.h"
#ifdef AVSS_PNG_PLOTS
#include "render/svg_png.h"
#endif

namespace avss::cli {
namespace {

std::vector<std::uint64_t> seedList(const ParsedArgs& args) {
    std::vector<std::uint64_t> seeds;
    for (const int s : args.getIntList("seeds")) {
        if (s < 0) throw UsageError({}, "--seeds takes non-negative numbers");
        seeds.push_back(static_cast<std::uint64_t>(s));
    }
    return seeds;
}

// One table per task's first metric, then the mean: retention, rows = lines, columns = counts.
void printTable(const SweepResult& r, int task) {
    const auto& counts = r.plan.counts;
    if (task < 0) {
        std::cout << "\nmean retention over tasks (each task's first metric; tasks not swept left out)\n";
    } else {
        const auto& t = r.tasks[static_cast<std::size_t>(task)];
        std::cout << "\n" << t.title << ": " << t.metrics[kPrimaryMetric] << " retention"
                  << (t.higherIsBetter[kPrimaryMetric] ? " (pruned / dense)" : " (dense / pruned)") << "\n";
    }
    std::cout << std::left << std::setw(22) << "removed blocks" << std::right;
    for (const int c : counts) std::cout << std::setw(8) << c;
    std::cout << "\n";
    for (std::size_t l = 0; l < r.plan.lines.size(); ++l) {
        std::cout << std::left << std::setw(22) << r.plan.lines[l].label() << std::right;
        for (std::size_t c = 0; c < counts.size(); ++c) {
            const auto v = task < 0 ? meanRetention(r, static_cast<int>(l), static_cast<int>(c))
                                    : [&]() -> std::optional<double> {
                                          const auto ret = sweepRetention(r, task, kPrimaryMetric, static_cast<int>(l), static_cast<int>(c));
                                          return ret ? std::optional<double>(ret->retention) : std::nullopt;
                                      }();
            std::cout << std::setw(8) << (v ? fixed(*v, 3) : std::string("-"));
        }
        std::cout << "\n";
    }
}

void writePlots(const SweepResult& r, const std::filesystem::path& folder) {
    const auto plots = sweepPlots(r);
    writeSweepPlots(folder, plots);
#ifdef AVSS_PNG_PLOTS
    for (const auto& p : plots) render::writeSvgAsPng(p.svg, folder / (p.name + ".png"));
    std::cerr << "wrote " << plots.size() << " plots to " << folder.string() << " (SVG and PNG)\n";
#else
    std::cerr << "wrote " << plots.size() << " plots to " << folder.string() << " (SVG; PNG needs the GUI build)\n";
#endif
}

int runSweep(const ParsedArgs& args, Context& ctx) {
    const auto tasks = loadTaskList(args, "task", true);  // before the model: a bad file fails fast
    SweepPlanOptions planOptions;
    planOptions.metrics = args.getList("metrics");
    planOptions.counts = args.getIntList("counts");
    planOptions.randomSeeds = seedList(args);
    const auto protection = protectionFromArgs(args);
    planOptions.protectFirst = protection.first;
    planOptions.protectLast = protection.last;
    SweepOptions options;
    options.eval.batch = static_cast<int>(args.getInt("eval-batch", 1, 1024));
    options.eval.maxNewTokens = static_cast<int>(args.getInt("max-new-tokens", 1, 1 << 16));
    options.eval.window = static_cast<int>(args.getInt("window", 2, 1 << 20));
    options.eval.maxTokens = args.getInt("ppl-tokens", 0, 1LL << 40);
    options.eval.bootstrapIterations = static_cast<int>(args.getInt("bootstrap", 0, 1000000));
    options.recompute = args.has("recompute-cells");
    options.evaluateAtChance = args.has("sweep-at-chance");

    const auto model = ctx.loadModel(args);
    const auto corpus = openCorpus(args.get("data"), CorpusOptions{args.get("json-field")});
    std::vector<std::string> oneShot, measuredIds;
    for (const auto& id : planOptions.metrics) (isMeasuredMetric(id) ? measuredIds : oneShot).push_back(id);
    const auto statsOpts = collectOptions(args);
    const auto measuredOpts = measuredOptionsFromArgs(args, statsOpts.settings);
    if (!measuredIds.empty()) checkMeasuredRequest(model->info(), measuredIds, measuredOpts);  // before any pass
    std::filesystem::path cacheFile;
    const auto stats = statsFor(args, ctx, *model, corpus, oneShot, &cacheFile);
    std::vector<MeasuredImportance> measured;
    if (!measuredIds.empty()) measured = measureImportance(*model, corpus, measuredIds, measuredOpts, ctx.progress(), ctx.cancel);
    ctx.progressBar.finish();
    const auto plan = planSweep(stats, measured, planOptions);
    for (const auto& n : plan.notes) std::cerr << "note: " << n << "\n";

    if (!cacheFile.empty()) options.cellStore = sweepCellStore(cacheFile);
    std::cerr << "sweep: " << plan.lines.size() << " lines x " << plan.counts.size() << " counts x " << tasks.size() << " tasks; cells "
              << (options.cellStore.empty() ? std::string("not stored (--cache none)") : "in " + options.cellStore.string()) << "\n";
    const auto onCell = [&](const SweepResult& sofar, int index) {
        const auto& c = sofar.cells[static_cast<std::size_t>(index)];
        const auto& m = c.metrics[kPrimaryMetric];
        ctx.progressBar.finish();
        std::cerr << "cell " << sofar.tasks[static_cast<std::size_t>(c.task)].task << " removed [";
        for (std::size_t i = 0; i < c.removed.size(); ++i) std::cerr << (i ? "," : "") << c.removed[i];
        std::cerr << "] " << m.name << " " << fixed(m.value, 4) << (c.fromStore ? " (stored)" : " (" + fixed(c.seconds, 1) + " s)") << "\n";
    };
    const auto r = avss::runSweep(*model, tasks, plan, options, ctx.progress(), ctx.cancel, onCell);
    ctx.progressBar.finish();
    for (std::size_t t = 0; t < r.tasks.size(); ++t) {
        if (!r.tasks[t].prunedSkipped) printTable(r, static_cast<int>(t));
    }
    if (r.tasks.size() > 1) printTable(r, -1);
    for (const auto& n : r.notes) std::cout << "note: " << n << "\n";
    std::cout << "\ncells: " << r.computed << " evaluated, " << r.reused << " read from the store, " << fixed(r.seconds, 1) << " s\n";
    for (const auto& file : args.getList("out")) {
        writeSweep(file, r);
        std::cerr << "wrote " << file << "\n";
    }
    if (args.has("plots")) writePlots(r, args.get("plots"));
    return 0;
}

}  // namespace

CommandSpec sweepCommand() {
    CommandSpec c;
    c.name = "sweep";
    c.summary = "Retention sweep: selection metrics x removed blocks x tasks, resumable (cells cached)";
    c.description =
        "Collects (or reads) the activation statistics of the calibration text --data, plans for each metric\n"
        "and each count which blocks to remove (count rule, --protect ends kept), and scores every distinct\n"
        "(task, removed set) as `avss eval --skip-layers` does. Finished cells are kept next to the analysis\n"
        "cache (<cache>.cells/), so an interrupted sweep resumes and a repeated one reads them back.\n"
        "Retention: pruned/dense (perplexity: dense/pruned); chance-normalised: (pruned - floor)/(dense - floor).\n"
        "A task whose dense score's 95% interval reaches its chance floor stops after the dense cell: its\n"
        "retention would measure noise (--sweep-at-chance scores it anyway); the mean leaves it out then.\n"
        "Tasks:\n" + describeTasks() + "docs/sweep.md describes the files and plots.";
    c.positionals = {"MODEL"};
    c.requiredPositionals = 1;
    c.options = statsOptions("auto");
    for (auto& o : std::vector<OptionSpec>{
             {"task", "LIST", "NAME=FILE pairs, comma-separated, e.g. sciq=sciq.json,perplexity=wiki.txt", ""},
             {"metrics", "LIST", "selection metrics (default: every AVSS preset, bi, angular, reverse, random; measured ids allowed)", ""},
             {"counts", "LIST", "numbers of removed blocks (default: 0,10,20,25,30,40,50% of the layers)", ""},
             {"seeds", "LIST", "seeds of the random metric, one line each", "1,2,3"},
             {"eval-batch", "B", "choice sets / prompts / perplexity windows per pass", "16"},
             {"max-new-tokens", "N", "generation tasks: token limit per answer", "64"},
             {"window", "N", "perplexity task: tokens per window", "2048"},
             {"ppl-tokens", "N", "perplexity task: use only the first N tokens (0 = all)", "0"},
             {"bootstrap", "N", "bootstrap resamples for each cell's interval", "1000"},
             {"recompute-cells", "", "evaluate cells again even when stored, and replace them", ""},
             {"sweep-at-chance", "", "also score pruned cells of a task whose dense model is at chance", ""},
             {"out", "LIST", "write the sweep as .json and/or .csv files", ""},
             {"plots", "DIR", "write retention plots (SVG, and PNG in the GUI build) into DIR", ""},
             protectOption()}) {
        c.options.push_back(o);
    }
    for (auto& o : taskReadOptions()) c.options.push_back(o);
    for (auto& o : modelOptions()) c.options.push_back(o);
    for (auto& o : measuredOptions()) c.options.push_back(o);
    c.run = runSweep;
    return c;
}

}  // namespace avss::cli
