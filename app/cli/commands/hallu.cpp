// avss hallu MODEL --pairs FILE: teacher-forced statistics of truthful and hallucinated answers
// (or the cache's), HSAV/HSS/EAVSS per layer with their spread across shards, the top-k
// hallucination-prone layers, and how the ranking agrees with another report (--against).
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>

#include "../commands.h"
#include "../context.h"
#include "../number_text.h"
#include "../stats_args.h"
#include "../task_args.h"
#include "avss/answer_pairs.h"
#include "avss/error.h"
#include "avss/hallu_report.h"
#include "avss/hallu_scores.h"
#include "avss/hallu_stats.h"
#include "avss/self_answers.h"

namespace avss::cli {
namespace {

std::string cell(const LayerScore& s) {
    char buf[48];
    if (!std::isfinite(s.value)) std::snprintf(buf, sizeof buf, "%9s %11s", "n/a", "");
    else if (!std::isfinite(s.sd)) std::snprintf(buf, sizeof buf, "%9.4g %11s", s.value, "");
    else std::snprintf(buf, sizeof buf, "%9.4g ± %-9.3g", s.value, s.sd);
    return buf;
}

void printAnalysis(const HalluScores& a) {
    const auto& v = findHalluVariant(a.variant);
    std::cout << "\n" << v.name << " (variant " << a.variant << ", base " << a.base << ")\n  " << v.formula << "\n\n";
    std::cout << "layer " << (a.hsav ? "   HSAV ± sd (shards)     HSS ± sd (shards)   " : "") << "  EAVSS ± sd (shards) rank  top-k share\n";
    for (std::size_t l = 0; l < a.eavss.layers.size(); ++l) {
        const auto& e = a.eavss.layers[l];
        char head[32];
        std::snprintf(head, sizeof head, "%5zu ", l);
        std::cout << head;
        if (a.hsav) std::cout << cell(a.hsav->layers[l]) << " " << cell(a.hss->layers[l]) << " ";
        char tail[48];
        std::snprintf(tail, sizeof tail, " %4d  %5.2f%s", e.rank, e.bottomFrequency, e.rank < a.eavss.stability.bottomCount ? "  *" : "");
        std::cout << cell(e) << tail << "\n";
    }
    const auto& st = a.eavss.stability;
    std::cout << "\nselected (top " << st.bottomCount << ")  " << setText(a.selected) << "\n";
    if (st.applicable) {
        std::cout << "stability       Kendall tau across " << st.shards << " shards: mean " << fixed(st.kendallTauMean, 3) << ", min "
                  << fixed(st.kendallTauMin, 3) << "; top-k set changed in " << fixed(100 * st.bottomSetChangedFraction, 0)
                  << "% of shards (mean Jaccard " << fixed(st.bottomSetJaccardMean, 2) << ")\n";
    }
    for (const auto& w : a.warnings) std::cout << "warning         " << w << "\n";
}

int runHallu(const ParsedArgs& args, Context& ctx) {
    if (!args.has("pairs")) throw UsageError({}, "--pairs FILE is required (TruthfulQA.csv, HaluEval QA JSONL or a pairs JSONL)");
    PairSpec spec;
    spec.file = args.get("pairs");
    spec.format = pairFormatFor(args.get("format"), spec.file);
    spec.limit = args.getInt("limit", 0, 1LL << 40);
    spec.knowledge = args.has("knowledge");
    spec.half = parsePairHalf(args.get("half"));
    const bool self = spec.format == PairFormat::SelfAnswers;
    std::optional<TaskData> task;  // qa-self: the questions the model answers itself
    PairSet pairs;
    if (self) {
        if (!args.has("task")) throw UsageError({}, "--format qa-self needs --task NAME (nq_open, triviaqa, qa, sciq, truthfulqa or sst2)");
        if (spec.half != PairHalf::All || spec.knowledge) throw UsageError({}, "--half and --knowledge do not apply to qa-self");
        TaskSpec ts;
        ts.name = args.get("task");
        ts.data = spec.file;
        ts.limit = spec.limit;
        task = loadTask(ts);  // before the model: a bad file fails fast
        reportLoaded(*task);
    } else {
        pairs = loadPairs(spec);
    }
    HalluScoreOptions scoring;
    scoring.base = args.get("base");
    scoring.topK = static_cast<int>(args.getInt("top-k", -1, 4096));
    const auto variants = args.getList("variants");
    for (const auto& id : variants) findHalluVariant(id);
    std::vector<double> againstValues;
    std::vector<int> againstSelected;
    if (args.has("against")) againstValues = readHalluValues(args.get("against"), variants.empty() ? "ratio" : variants.front(), &againstSelected);

    HalluRequest request;
    request.options.batchSize = static_cast<int>(args.getInt("batch", 1, 4096));
    request.options.shards = static_cast<int>(args.getInt("shards", 1, 4096));
    request.options.lengthMatch = args.has("length-match");
    request.options.settings.absThresholds = doubleList(args, "abs-thresholds");
    request.options.settings.relThresholds = doubleList(args, "rel-thresholds");
    const auto cache = args.get("cache");
    if (cache == "auto") request.cacheDir = ctx.cacheDir;
    else if (cache != "none") request.cacheDir = cache;
    request.policy = args.has("recompute") ? CachePolicy::Recompute : CachePolicy::CacheFirst;

    const auto model = ctx.loadModel(args);
    if (self) {
        pairs = selfAnswerPairs(model, *task, ctx.progress(), ctx.cancel);
        ctx.progressBar.finish();
    }
    auto got = obtainHalluStats(*model, pairs, request, ctx.progress(), ctx.cancel);
    ctx.progressBar.finish();
    if (!got.cacheNote.empty()) std::cerr << "cache: " << got.cacheNote << "\n";
    if (got.fromCache) std::cerr << "cache: using " << got.cacheFiles[0].string() << " and " << got.cacheFiles[1].string() << "\n";
    else if (got.stored) std::cerr << "cache: wrote " << got.cacheFiles[0].string() << " and " << got.cacheFiles[1].string() << "\n";
    const auto report = buildHalluReport(pairs, *got.stats, request.options.lengthMatch, variants, scoring);

    const auto& first = report.analyses.front();
    std::cout << "pairs           " << spec.file.string() << " (" << pairFormatName(spec.format) << (spec.knowledge ? ", with knowledge" : "")
              << "): " << report.questions << " questions, " << report.pairCount << " pairs\n"
              << "answer tokens   truthful " << fixed(first.truthfulTokensPerAnswer, 1) << " per answer, hallucinated "
              << fixed(first.hallucinatedTokensPerAnswer, 1) << (report.lengthMatched ? " (length-matched)\n" : "\n");
    if (!got.fromCache) std::cerr << "analysed " << 2 * report.pairCount << " answers in " << fixed(got.collectSeconds, 1) << " s\n";
    for (const auto& n : pairs.notes) std::cout << "note            " << n << "\n";
    printAnalysis(first);
    for (std::size_t i = 1; i < report.analyses.size(); ++i) {
        std::cout << "variant " << report.analyses[i].variant << ": selected " << setText(report.analyses[i].selected) << ", Kendall tau with "
                  << first.variant << " " << fixed(compareHallucination(first, report.analyses[i]).kendallTau, 3) << "\n";
    }
    if (!againstValues.empty()) {
        if (againstValues.size() != first.eavss.layers.size()) {
            throw UsageError({}, args.get("against") + " scores " + std::to_string(againstValues.size()) + " layers, this model has " +
                                     std::to_string(first.eavss.layers.size()));
        }
        std::vector<double> mine;
        for (const auto& l : first.eavss.layers) mine.push_back(l.value);
        std::cout << "against         " << args.get("against") << ": Kendall tau " << fixed(kendallTauB(mine, againstValues), 3)
                  << ", selected-set Jaccard " << fixed(jaccard(first.selected, againstSelected), 2) << " (" << setText(againstSelected) << ")\n";
    }
    if (args.has("out")) {
        writeHalluReport(args.get("out"), report);
        std::cerr << "wrote " << args.get("out") << "\n";
    }
    return 0;
}

}  // namespace

CommandSpec halluCommand() {
    CommandSpec c;
    c.name = "hallu";
    c.summary = "Find MODEL's hallucination-prone layers: HSAV, HSS and EAVSS from truthful vs hallucinated answers";
    c.description =
        "Runs every truthful and every hallucinated answer after its question (teacher forcing) and collects the\n"
        "activation statistics of the answer tokens only. HSAV compares the two sides' variance, HSS their sparsity,\n"
        "EAVSS combines them as AVSS does; the highest-EAVSS layers are the hallucination-prone ones.\n"
        "Formats: truthfulqa (TruthfulQA.csv: Correct vs Incorrect Answers, paired by position), halueval (HaluEval\n"
        "QA JSONL: right_answer vs hallucinated_answer), pairs (JSONL {question, truthful, hallucinated}; strings or\n"
        "equally long lists), qa-self (the model's own greedy answers or chosen options to --task's questions in\n"
        "--pairs, right vs wrong by the task's scoring). Formulas and choices: docs/hallucination.md.";
    c.positionals = {"MODEL"};
    c.requiredPositionals = 1;
    c.options = {{"pairs", "FILE", "the answer pairs", ""},
                 {"format", "NAME", "auto (.csv = truthfulqa, else halueval), truthfulqa, halueval, pairs or qa-self", "auto"},
                 {"task", "NAME", "qa-self: the task of the --pairs file (nq_open, triviaqa, qa, sciq, truthfulqa, sst2)", ""},
                 {"limit", "N", "use the first N questions (0 = all)", "0"},
                 {"half", "HALF", "all, even or odd questions (disjoint folds)", "all"},
                 {"knowledge", "", "halueval: put the knowledge passage before the question", ""},
                 {"length-match", "", "cut both answers of a pair to the shorter one's tokens (removes the length cue)", ""},
                 {"batch", "B", "answers per forward pass", "16"},
                 {"shards", "K", "question groups for sd and rank stability", "8"},
                 {"base", "PRESET", "AVSS preset whose variance and sparsity EAVSS builds on (avss-paper: the paper's, guard-dominated here)", "avss-rel"},
                 {"variants", "LIST", "ratio, hallucinated, shift (the first is printed in full; default all)", ""},
                 {"top-k", "K", "layers to select (-1 = a quarter of the layers)", "-1"},
                 {"against", "FILE", "another hallu report (--out) of the same model: rank agreement with it", ""},
                 {"out", "FILE", "write the report as JSON", ""},
                 {"cache", "DIR", "analysis cache: 'auto' (the explorer's per-user cache), 'none', or a folder", "auto"},
                 {"recompute", "", "ignore cached statistics and collect again", ""}};
    for (auto& o : thresholdOptions()) c.options.push_back(o);
    for (auto& o : modelOptions()) c.options.push_back(o);
    c.run = runHallu;
    return c;
}

}  // namespace avss::cli
