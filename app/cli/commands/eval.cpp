// avss eval MODEL --task NAME --data FILE: a benchmark task scored as lm-evaluation-harness does,
// dense or with --skip-layers, each metric next to its chance floor and 95 % bootstrap interval.
#include <iomanip>
#include <iostream>

#include "../commands.h"
#include "../context.h"
#include "../number_text.h"
#include "../task_args.h"
#include "avss/error.h"
#include "avss/evaluator.h"

namespace avss::cli {
namespace {

constexpr std::size_t kSkippedShown = 10;  // the rest are in --out

void printResult(const EvalResult& r) {
    std::cout << "task            " << r.title << " (" << r.task << ", " << r.format << ")\n"
              << "data            " << r.dataFile << "\n"
              << "items           " << r.items;
    if (r.task != "perplexity") std::cout << " (rows read " << r.rowsRead << ", skipped " << r.skipped.size() << ")";
    std::cout << "\n";
    if (!r.skipLayers.empty()) {
        std::cout << "skipped layers  ";
        for (std::size_t i = 0; i < r.skipLayers.size(); ++i) std::cout << (i ? "," : "") << r.skipLayers[i];
        std::cout << "\n";
    }
    std::cout << "\n" << std::left << std::setw(14) << "metric" << std::setw(12) << "value" << std::setw(22) << "95% CI"
              << std::setw(12) << "chance" << "above chance\n";
    for (const auto& m : r.metrics) {
        const bool ppl = !m.higherIsBetter;
        const int d = ppl ? 3 : 4;
        std::cout << std::setw(14) << m.name << std::setw(12) << fixed(m.value, d)
                  << std::setw(22) << ("[" + fixed(m.ci.low, d) + ", " + fixed(m.ci.high, d) + "]") << std::setw(12)
                  << fixed(m.floor, ppl ? 0 : 4);
        // (score − floor)/(1 − floor): 0 = chance, 1 = perfect; perplexity has no upper bound to normalise by
        if (!ppl && m.floor < 1.0) std::cout << fixed((m.value - m.floor) / (1.0 - m.floor), 4);
        std::cout << "\n";
    }
    std::cout << std::right;
    if (r.ties > 0) std::cout << "\nties            " << r.ties << " items had a tied best choice (the first was taken, as lm-eval does)\n";
    for (const auto& n : r.notes) std::cout << "note            " << n << "\n";
    std::cout << "time            " << fixed(r.seconds, 2) << " s (" << fixed(r.seconds > 0 ? r.items / r.seconds : 0.0, 2)
              << (r.task == "perplexity" ? " windows/s)\n" : " items/s)\n");
    if (!r.skipped.empty()) {
        std::cerr << r.skipped.size() << " malformed row(s) skipped (--strict makes them fatal):\n";
        for (std::size_t i = 0; i < r.skipped.size() && i < kSkippedShown; ++i) {
            std::cerr << "  " << r.skipped[i].where << ": " << r.skipped[i].reason << "\n";
        }
        if (r.skipped.size() > kSkippedShown) std::cerr << "  ... (all of them in --out)\n";
    }
}

int runEval(const ParsedArgs& args, Context& ctx) {
    if (!args.has("task")) throw UsageError({}, "--task NAME is required (" + describeTasks() + ")");
    if (!args.has("data")) throw UsageError({}, "--data FILE is required");
    const auto task = loadTask(taskSpecFromArgs(args, args.get("task"), args.get("data")));  // before the model: a bad file fails fast
    EvalOptions o = evalOptionsFromArgs(args);
    o.skipLayers = args.getIntList("skip-layers");
    o.batch = static_cast<int>(args.getInt("batch", 1, 1024));
    o.records = args.has("records");
    if (o.records && !args.has("out")) throw UsageError({}, "--records needs --out FILE (the records go into the JSON)");
    Evaluator evaluator(ctx.loadModel(args));
    const auto r = evaluator.run(task, o, ctx.progress(), ctx.cancel);
    ctx.progressBar.finish();
    printResult(r);
    if (args.has("out")) {
        writeEvalResult(args.get("out"), r);
        std::cerr << "wrote " << args.get("out") << "\n";
    }
    return 0;
}

}  // namespace

CommandSpec evalCommand() {
    CommandSpec c;
    c.name = "eval";
    c.summary = "Score MODEL on a benchmark task as lm-evaluation-harness does (dense or with --skip-layers)";
    c.description = "Tasks and the files they read (docs/evaluation.md gives every prompt and metric):\n" + describeTasks() +
                    "\nEach metric is printed next to its chance floor and a 95% bootstrap interval over items.\n"
                    "Malformed rows are skipped and listed (file:line) unless --strict makes them fatal.";
    c.positionals = {"MODEL"};
    c.requiredPositionals = 1;
    c.options = {{"task", "NAME", "perplexity, sciq, truthfulqa, nq_open, triviaqa, qa, sst2 or wikiqa", ""},
                 {"data", "FILE", "the task's data file (perplexity: a text, JSONL or 'builtin')", ""},
                 {"batch", "B", "choice tasks: choice sets per pass; generation: prompts decoded together; perplexity: windows per pass (at most 8192 tokens)", "16"},
                 {"skip-layers", "LIST", "bypass these blocks (what-if pruning), e.g. 3,5,10-12", ""},
                 {"out", "FILE", "write the result as JSON", ""},
                 {"records", "", "include per-item records (log-likelihoods, generations) in --out", ""}};
    for (auto& o : evalRunOptions()) c.options.push_back(o);
    for (auto& o : taskReadOptions()) c.options.push_back(o);
    for (auto& o : modelOptions()) c.options.push_back(o);
    c.run = runEval;
    return c;
}

}  // namespace avss::cli
