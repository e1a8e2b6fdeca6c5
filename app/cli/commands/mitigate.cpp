// avss mitigate MODEL --train PAIRS --layers auto|lowest|random|all|LIST --steps N: contrastive
// fine-tuning of the chosen layers only, with held-out preference and task scores before and
// after, a resumable checkpoint, and the run's record as JSON.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "../commands.h"
#include "../context.h"
#include "../number_text.h"
#include "../task_args.h"
#include "avss/answer_pairs.h"
#include "avss/contrastive_trainer.h"
#include "avss/corpus.h"
#include "avss/divergence.h"
#include "avss/error.h"
#include "avss/evaluator.h"
#include "avss/hallu_scores.h"
#include "avss/hallu_stats.h"
#include "avss/mitigation.h"
#include "avss/tuned_export.h"

namespace avss::cli {
namespace {

PairSpec pairSpec(const ParsedArgs& args, const std::string& file, const std::string& format, const std::string& limit,
                  const std::string& half) {
    PairSpec s;
    s.file = file;
    s.format = pairFormatFor(args.get(format), s.file);
    s.limit = args.getInt(limit, 0, 1LL << 40);
    s.half = parsePairHalf(args.get(half));
    return s;
}

std::string layerText(const std::vector<int>& v) {
    std::string s;
    for (int l : v) s += (s.empty() ? "" : ",") + std::to_string(l);
    return s;
}

// The layers to train; for auto and lowest, from a hallucination analysis of --hallu-pairs (cached).
std::vector<int> layersFor(const ParsedArgs& args, Context& ctx, const Model& model, const PairSpec& trainSpec) {
    const auto choice = parseLayerChoice(args.get("layers"));
    const int L = model.info().hparams.layers;
    const int k = static_cast<int>(args.getInt("top-k", -1, 4096));
    const auto seed = static_cast<std::uint64_t>(args.getInt("layer-seed", 0, 1LL << 62));
    if (choice == LayerChoice::Listed) return chooseLayers(choice, L, k, args.getIntList("layers"), nullptr, seed);
    if (choice != LayerChoice::TopEavss && choice != LayerChoice::LowestEavss) return chooseLayers(choice, L, k, {}, nullptr, seed);
    const auto spec = args.has("hallu-pairs") ? pairSpec(args, args.get("hallu-pairs"), "hallu-format", "hallu-limit", "hallu-half") : trainSpec;
    const auto pairs = loadPairs(spec);
    HalluRequest request;
    request.cacheDir = ctx.cacheDir;
    const auto got = obtainHalluStats(model, pairs, request, ctx.progress(), ctx.cancel);
    ctx.progressBar.finish();
    HalluScoreOptions scoring;
    scoring.base = args.get("base");
    scoring.variant = args.get("variant");
    scoring.topK = k >= 0 ? k : std::max(1, L / 4);
    const auto scores = scoreHallucination(*got.stats, scoring);
    const auto layers = chooseLayers(choice, L, scoring.topK, {}, &scores, seed);
    std::cerr << "EAVSS (" << scoring.variant << ", " << scoring.base << ") on " << spec.file.string() << (got.fromCache ? " (cached)" : "")
              << ": " << layerChoiceName(choice) << " layers " << layerText(layers) << "\n";
    return layers;
}

struct Scores {
    std::optional<PairPreference> preference;
    std::vector<EvalResult> evals;
};

Scores score(Context& ctx, const std::shared_ptr<const Model>& model, const std::optional<PairSet>& heldOut, const std::vector<TaskData>& tasks,
             const ParsedArgs& args) {
    Scores s;
    if (heldOut) s.preference = measurePreference(*model, *heldOut, args.has("length-match"), 8, ctx.cancel);
    if (tasks.empty()) return s;
    Evaluator evaluator(model);
    const auto o = evalOptionsFromArgs(args);
    for (const auto& t : tasks) s.evals.push_back(evaluator.run(t, o, ctx.progress(), ctx.cancel));
    ctx.progressBar.finish();
    return s;
}

void printComparison(const Scores& before, const Scores& after) {
    std::printf("\n%-28s %-12s %24s %24s %9s\n", "measure", "metric", "before [95% CI]", "after [95% CI]", "change");
    if (before.preference && after.preference) {
        const auto& b = *before.preference;
        const auto& a = *after.preference;
        std::printf("%-28s %-12s %24s %24s %+9.4f\n", ("held-out pairs (" + std::to_string(b.pairs) + ")").c_str(), "pref. acc",
                    fixed(b.accuracy, 4).c_str(), fixed(a.accuracy, 4).c_str(), a.accuracy - b.accuracy);
        std::printf("%-28s %-12s %24s %24s %+9.4f\n", "", "margin", fixed(b.meanMargin, 4).c_str(), fixed(a.meanMargin, 4).c_str(),
                    a.meanMargin - b.meanMargin);
        std::printf("%-28s %-12s %24s %24s %+9.4f\n", "", "truthful NLL", fixed(b.truthfulNll, 4).c_str(), fixed(a.truthfulNll, 4).c_str(),
                    a.truthfulNll - b.truthfulNll);
    }
    for (std::size_t i = 0; i < before.evals.size(); ++i) {
        for (const auto& m : before.evals[i].metrics) {
            const auto* n = after.evals[i].metric(m.name);
            if (n == nullptr) continue;
            const auto cell = [](const MetricSummary& x) { return fixed(x.value, 4) + " [" + fixed(x.ci.low, 3) + ", " + fixed(x.ci.high, 3) + "]"; };
            std::printf("%-28s %-12s %24s %24s %+9.4f\n", before.evals[i].task.c_str(), m.name.c_str(), cell(m).c_str(), cell(*n).c_str(),
                        n->value - m.value);
        }
    }
}

int runMitigate(const ParsedArgs& args, Context& ctx) {
    if (!args.has("train")) throw UsageError({}, "--train FILE is required (answer pairs: TruthfulQA.csv, HaluEval QA JSONL or pairs JSONL)");
    const auto trainSpec = pairSpec(args, args.get("train"), "format", "train-limit", "train-half");
    const auto train = loadPairs(trainSpec);  // every file before the model: a bad one fails fast
    std::optional<PairSet> heldOut;
    if (args.has("held-out")) heldOut = loadPairs(pairSpec(args, args.get("held-out"), "held-out-format", "held-out-limit", "held-out-half"));
    const auto tasks = loadTaskList(args, "eval", false, [&](TaskSpec s) { return withoutTrainingQuestions(std::move(s), train); });
    std::optional<Corpus> klText;
    if (args.has("kl-text")) klText = openCorpus(args.get("kl-text"));
    const auto model = ctx.loadModel(args);
    TrainOptions o;
    o.layers = layersFor(args, ctx, *model, trainSpec);
    o.pairsPerStep = static_cast<int>(args.getInt("pairs-per-step", 1, 4096));
    o.learningRate = args.getDouble("lr");
    o.weightDecay = args.getDouble("weight-decay");
    o.clipNorm = args.getDouble("clip");
    o.beta = args.getDouble("beta");
    o.contrastiveWeight = args.getDouble("contrastive-weight");
    o.lmWeight = args.getDouble("lm-weight");
    o.lengthMatch = args.has("length-match");
    o.seed = static_cast<std::uint64_t>(args.getInt("seed", 0, 1LL << 62));
    const int steps = static_cast<int>(args.getInt("steps", 1, 1 << 24));
    ContrastiveTrainer trainer(model, train, o);
    const std::filesystem::path outDir = args.get("out");
    if (!outDir.empty()) std::filesystem::create_directories(outDir);
    const std::filesystem::path checkpoint = args.has("checkpoint") ? std::filesystem::path(args.get("checkpoint"))
                                             : outDir.empty()         ? std::filesystem::path()
                                                                      : outDir / "checkpoint.pt";
    if (args.has("resume")) {
        if (checkpoint.empty()) throw UsageError({}, "--resume needs --checkpoint FILE or --out DIR");
        trainer.loadCheckpoint(checkpoint);
        std::cerr << "resumed " << checkpoint.string() << " at step " << trainer.step() << "\n";
    }
    std::cerr << "training layers " << layerText(trainer.options().layers) << " on " << train.pairs.size() << " pairs, steps "
              << trainer.step() + 1 << ".." << steps << "\n";

    MitigationReport report;
    report.modelName = model->info().name;
    report.modelFingerprint = model->info().fingerprint;
    report.train = trainSpec;
    report.trainPairs = static_cast<std::int64_t>(train.pairs.size());
    if (heldOut) report.heldOut = heldOut->spec;
    report.layerChoice = layerChoiceName(parseLayerChoice(args.get("layers")));
    report.options = trainer.options();
    report.firstStep = trainer.step();

    const auto before = score(ctx, model, heldOut, tasks, args);
    const int logEvery = static_cast<int>(args.getInt("log-every", 1, 1 << 24));
    const auto start = std::chrono::steady_clock::now();
    try {
        trainer.run(steps, [&](const TrainStep& s) {
            report.steps.push_back(s);
            ctx.progressBar(Progress{"training", s.step, steps, "steps"});
            if (s.step % logEvery == 0 || s.step == steps) {
                ctx.progressBar.finish();
                std::fprintf(stderr, "step %d  loss %.4f  contrastive %.4f  lm %.4f  preference %.2f  grad %.3g  %.2f s\n", s.step, s.loss,
                             s.contrastive, s.lm, s.preference, s.gradNorm, s.seconds);
            }
        }, ctx.cancel);
    } catch (const Cancelled&) {
        if (!checkpoint.empty()) {
            trainer.saveCheckpoint(checkpoint);
            std::cerr << "\ncancelled at step " << trainer.step() << "; --resume continues from " << checkpoint.string() << "\n";
        }
        throw;
    }
    report.trainSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!checkpoint.empty()) {
        trainer.saveCheckpoint(checkpoint);
        std::cerr << "wrote " << checkpoint.string() << "\n";
    }
    const auto tuned = trainer.tunedModel();
    if (args.has("export")) {
        const auto e = exportTunedModel(*model, *tuned, trainer.options().layers, args.get("export"), {}, ctx.progress(), ctx.cancel);
        ctx.progressBar.finish();
        std::cerr << "exported " << e.path.string() << " (" << e.bytes << " bytes; reloaded logits within " << fixed(e.maxLogitDiff, 6)
                  << " of the tuned model's)\n";
    }
    const auto after = score(ctx, tuned, heldOut, tasks, args);
    report.before = before.preference;
    report.after = after.preference;
    report.evalBefore = before.evals;
    report.evalAfter = after.evals;
    if (klText) {
        report.klText = klText->name;
        report.divergence = klDivergence(*model, *tuned, *klText, 512, args.getInt("kl-tokens", 2, 1LL << 40), ctx.cancel);
    }
    std::cout << "layers trained  " << layerText(trainer.options().layers) << " (" << report.layerChoice << ")\n"
              << "steps           " << report.firstStep + 1 << ".." << trainer.step() << " in " << fixed(report.trainSeconds, 1) << " s ("
              << fixed(report.steps.empty() ? 0.0 : report.trainSeconds / static_cast<double>(report.steps.size()), 2) << " s/step)\n";
    printComparison(before, after);
    if (report.divergence) {
        std::cout << "\nKL(original || tuned)  " << fixed(report.divergence->meanKl, 5) << " nats/token (max " << fixed(report.divergence->maxKl, 4)
                  << ") over " << report.divergence->tokens << " tokens of " << report.klText << "\n";
    }
    if (!outDir.empty()) {
        writeMitigationReport(outDir / "mitigation.json", report);
        std::cerr << "wrote " << (outDir / "mitigation.json").string() << "\n";
    }
    return 0;
}

}  // namespace

CommandSpec mitigateCommand() {
    CommandSpec c;
    c.name = "mitigate";
    c.summary = "Fine-tune only MODEL's hallucination-prone layers contrastively; scores before and after";
    c.description =
        "Trains the chosen layers (every other parameter frozen) to prefer truthful over hallucinated answers, with a\n"
        "language-modelling term on the truthful ones (loss and options: docs/hallucination.md). --layers: auto (top-k\n"
        "EAVSS of --hallu-pairs, default the training pairs), lowest (bottom-k, a control), random (k seeded, a control),\n"
        "all, or a list such as 3,5,7-9. Held-out pairs and --eval tasks are scored before and after (task items whose\n"
        "question is a training question are left out); Ctrl-C saves a checkpoint that --resume continues exactly.";
    c.positionals = {"MODEL"};
    c.requiredPositionals = 1;
    c.options = {{"train", "FILE", "training pairs", ""},
                 {"format", "NAME", "auto (.csv = truthfulqa, else halueval), truthfulqa, halueval or pairs", "auto"},
                 {"train-limit", "N", "use the first N questions of --train (0 = all)", "0"},
                 {"train-half", "HALF", "all, even or odd questions of --train (disjoint folds)", "all"},
                 {"held-out", "FILE", "pairs scored before and after (preference accuracy, margin, truthful NLL)", ""},
                 {"held-out-format", "NAME", "format of --held-out", "auto"},
                 {"held-out-limit", "N", "first N questions of --held-out", "0"},
                 {"held-out-half", "HALF", "all, even or odd questions of --held-out", "all"},
                 {"eval", "LIST", "tasks scored before and after, NAME=FILE,... as in avss eval, without the training questions", ""},
                 {"layers", "CHOICE", "auto, lowest, random, all, or a list", "auto"},
                 {"top-k", "K", "layers for auto/lowest/random (-1 = a quarter of the layers)", "-1"},
                 {"layer-seed", "N", "seed of --layers random", "0"},
                 {"hallu-pairs", "FILE", "pairs for the EAVSS analysis behind auto/lowest (default: --train)", ""},
                 {"hallu-format", "NAME", "format of --hallu-pairs", "auto"},
                 {"hallu-limit", "N", "first N questions of --hallu-pairs", "0"},
                 {"hallu-half", "HALF", "all, even or odd questions of --hallu-pairs", "all"},
                 {"base", "PRESET", "EAVSS base preset", "avss-rel"},
                 {"variant", "NAME", "EAVSS variant", "ratio"},
                 {"steps", "N", "optimiser steps (in all, counting resumed ones)", "100"},
                 {"pairs-per-step", "N", "pairs per step", "8"},
                 {"lr", "X", "AdamW learning rate", "1e-5"},
                 {"weight-decay", "X", "AdamW weight decay", "0.01"},
                 {"clip", "X", "gradient-norm clip (0 = none)", "1.0"},
                 {"beta", "X", "sharpness of the preference term", "1.0"},
                 {"contrastive-weight", "X", "weight of the preference term (0: the LM-only control)", "1.0"},
                 {"lm-weight", "X", "weight of the truthful-answer LM term", "1.0"},
                 {"length-match", "", "cut both answers of a pair to the shorter one", ""},
                 {"seed", "N", "data-order seed", "0"},
                 {"log-every", "N", "print the losses every N steps", "10"},
                 {"checkpoint", "FILE", "checkpoint file (default DIR/checkpoint.pt with --out)", ""},
                 {"resume", "", "continue from the checkpoint", ""},
                 {"out", "DIR", "write mitigation.json (and the checkpoint) here", ""},
                 {"kl-text", "PATH", "text on which to measure KL(original || tuned) per token ('builtin': the sample text)", ""},
                 {"kl-tokens", "N", "tokens of --kl-text to use", "4096"},
                 {"export", "FILE", "write the tuned model as GGUF, or as a new folder for a Hugging Face model (trained layers as F32; checked by reloading)", ""}};
    for (auto& o : evalRunOptions()) c.options.push_back(o);
    for (auto& o : taskReadOptions()) c.options.push_back(o);
    for (auto& o : modelOptions()) c.options.push_back(o);
    c.run = runMitigate;
    return c;
}

}  // namespace avss::cli
