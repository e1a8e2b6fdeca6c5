// avss perplexity MODEL --text FILE: token-level perplexity over non-overlapping windows.
#include <iomanip>
#include <iostream>

#include "../commands.h"
#include "../context.h"
#include "avss/corpus.h"
#include "avss/corpus_tokens.h"
#include "avss/error.h"
#include "avss/perplexity.h"
#include "avss/stats_cache.h"
#include "avss/what_if.h"

namespace avss::cli {
namespace {

// The explorer's Measure, reproduced: the analysis's held-out text, dense and pruned perplexity.
int runHeldOut(const ParsedArgs& args, Context& ctx) {
    if (args.has("bos") || args.has("no-bos") || args.has("batch")) {
        throw UsageError({}, "--bos, --no-bos and --batch do not apply with --held-out-from (the explorer's measurement follows the tokenizer's BOS rule, one window per pass)");
    }
    const auto calibration = StatsCache(args.get("held-out-from")).load().provenance;
    const auto corpus = openCorpus(args.get("text"), CorpusOptions{args.get("json-field")});
    const auto model = ctx.loadModel(args);
    WhatIfOptions o;  // the explorer's what-if defaults unless given
    if (args.has("window")) o.heldOut.window = static_cast<int>(args.getInt("window", 2, 1 << 20));
    if (args.has("max-tokens")) o.heldOut.maxTokens = args.getInt("max-tokens", 0, 1LL << 40);
    o.removed = args.getIntList("skip-layers");
    const auto r = measureWhatIf(*model, corpus, calibration, o, ctx.progress(), ctx.cancel);
    ctx.progressBar.finish();
    std::cout << std::setprecision(10) << "held-out text   " << corpus.name << ": " << r.heldOutTokens << " tokens from token "
              << r.heldOutStart << " (the analysis used " << calibration.calibrationTokens << ")\n"
              << "window          " << o.heldOut.window << " tokens\n"
              << "predicted       " << r.predictedTokens << " tokens\n"
              << "dense NLL       " << r.denseNll << " nats/token (perplexity " << r.densePerplexity() << ")\n"
              << "pruned NLL      " << r.prunedNll << " nats/token (perplexity " << r.prunedPerplexity() << ")\n"
              << "retention       " << r.retention() << " (PPL dense / PPL pruned)\n";
    if (!o.removed.empty()) std::cout << "skipped layers  " << args.get("skip-layers") << "\n";
    if (!r.note.empty()) std::cout << "note            " << r.note << "\n";
    return 0;
}

int runPerplexity(const ParsedArgs& args, Context& ctx) {
    if (args.has("held-out-from")) return runHeldOut(args, ctx);
    const auto corpus = openCorpus(args.get("text"), CorpusOptions{args.get("json-field")});
    const auto model = ctx.loadModel(args);
    PerplexityOptions o;
    o.window = static_cast<int>(args.getInt("window", 2, 1 << 20));
    o.maxTokens = args.getInt("max-tokens", 0, 1LL << 40);
    const auto tokens = tokenizeCorpus(model->tokenizer(), corpus, o.maxTokens).tokens;  // stops at --max-tokens
    o.batch = static_cast<int>(args.getInt("batch", 1, 1024));
    if (args.has("bos") && args.has("no-bos")) throw UsageError({}, "--bos and --no-bos contradict each other");
    if (args.has("bos")) o.bos = true;
    if (args.has("no-bos")) o.bos = false;
    o.skipLayers = args.getIntList("skip-layers");
    const auto r = perplexity(*model, tokens, o, ctx.progress(), ctx.cancel);
    ctx.progressBar.finish();
    std::cout << std::setprecision(6) << "text            " << corpus.name << " (" << r.tokensAvailable << " tokens)\n"
              << "windows         " << r.windows << " x " << r.window << " tokens" << (r.bos ? " after BOS" : ", no BOS") << "\n"
              << "predicted       " << r.predictedTokens << " tokens\n"
              << "mean NLL        " << r.meanNll << " nats/token\n"
              << "perplexity      " << r.perplexity << "\n"
              << "time            " << std::fixed << std::setprecision(2) << r.seconds << " s ("
              << std::setprecision(0) << (r.seconds > 0 ? static_cast<double>(r.tokensUsed) / r.seconds : 0.0)
              << " tokens/s)\n";
    if (!o.skipLayers.empty()) std::cout << "skipped layers  " << args.get("skip-layers") << "\n";
    return 0;
}

}  // namespace

CommandSpec perplexityCommand() {
    CommandSpec c;
    c.name = "perplexity";
    c.summary = "Token-level perplexity of MODEL on a text (non-overlapping windows, remainder dropped)";
    c.description = "The text is tokenized once, reading no further than --max-tokens needs (the token count\n"
                    "shown is then at most N), and cut into windows. When the model's tokenizer adds BOS (Gemma,\n"
                    "Llama 2/3; not SmolLM2) BOS goes before every window and every window token is predicted;\n"
                    "otherwise every token but the first is predicted from the tokens before it. --bos/--no-bos\n"
                    "override that rule. --text builtin uses the project's own sample prose.\n"
                    "--held-out-from CACHE measures what the explorer's Measure does: the text after the\n"
                    "analysis's calibration windows (--text must be the analysis's data), dense and with\n"
                    "--skip-layers, window 256 and 1024 tokens unless --window/--max-tokens are given.";
    c.positionals = {"MODEL"};
    c.requiredPositionals = 1;
    c.options = {{"text", "FILE", "plain text, JSONL (see --json-field) or 'builtin'", "builtin"},
                 {"json-field", "NAME", "JSONL field holding the text", "text"},
                 {"window", "N", "tokens per window", "2048"},
                 {"max-tokens", "N", "use only the first N tokens (0 = all)", "0"},
                 {"batch", "B", "windows per forward pass", "1"},
                 {"bos", "", "prepend BOS to every window, whatever the tokenizer's rule", ""},
                 {"no-bos", "", "no BOS, whatever the tokenizer's rule (the first token of a window is context only)", ""},
                 {"skip-layers", "LIST", "bypass these blocks (what-if pruning), e.g. 3,5,10-12", ""},
                 {"held-out-from", "CACHE", "measure on the held-out text of this analysis cache (as the explorer)", ""}};
    for (auto& o : modelOptions()) c.options.push_back(o);
    c.run = runPerplexity;
    return c;
}

}  // namespace avss::cli
