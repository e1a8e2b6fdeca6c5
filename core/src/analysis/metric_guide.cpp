// The guide's text, one row per metric id. A test checks that every registered id has a row.
#include "avss/metric_guide.h"

#include "avss/error.h"
#include "avss/layer_scores.h"

namespace avss {
namespace {

struct Row {
    const char* id;
    MetricGuide guide;
};

const std::vector<Row>& rows() {
    static const std::vector<Row> kRows = {
        {"avss-paper", {"Normalised channel variance of the block's output divided by its normalised share of near-zero "
                        "activations (|a| < 1e-5): how much a layer's output varies for how sparse it is.",
                        "Low: little variance for much sparsity, judged unimportant and pruned first. High: kept.", "avss"}},
        {"avss-reference-code", {"AVSS as the authors' script computes it: a batch mean of per-sequence variances over a "
                                 "batch mean of near-zero shares (|a| < 1e-5), without normalising over layers.",
                                 "Low values pruned first, as avss-paper; reproduced to compare with the published code.", "avss"}},
        {"avss-rel", {"AVSS with a scale-free sparsity: the share of activations below 5 % of their token's RMS.",
                      "Low: pruned first. Avoids the absolute threshold that almost no fp32 activation falls under.", ""}},
        {"avss-mlp", {"AVSS on the MLP's inner activation (after the gate), with the relative sparsity threshold.",
                      "Low: pruned first. The MLP activation is where sparsity actually occurs in SwiGLU models.", ""}},
        {"avss-mlp-abs", {"AVSS on the MLP's inner activation with the absolute threshold |a| < 1e-3.",
                          "Low: pruned first.", ""}},
        {"avss-mlp-hoyer", {"AVSS on the MLP's inner activation with Hoyer's sparsity (the L1/L2 ratio), which needs no "
                            "threshold at all.",
                            "Low: pruned first.", "hoyer"}},
        {"bi", {"Block Influence: 1 − the mean cosine between a block's input and output residual stream. How much "
                "the block turns the stream.",
                "Low: the block barely changes its input, so removing it changes little; pruned first.", "shortgpt"}},
        {"angular", {"Angular distance between the last token's residual stream before and after the block, over π.",
                     "Low: pruned first (Gromov et al. with a span of one block).", "gromov"}},
        {"angular-all", {"Angular distance between a block's input and output, averaged over every token.",
                         "Low: pruned first.", "gromov"}},
        {"update-norm", {"The size of the block's update relative to its input: ‖out − in‖ / ‖in‖.",
                         "Low: a small update, pruned first.", ""}},
        {"reverse", {"The layer number: the last layers go first.",
                     "A baseline that ignores the data; deep layers are often the most redundant.", "reassessing"}},
        {"random", {"A seeded random number per layer.", "A baseline: any metric worth using should beat it.", ""}},
        {"loo-ppl", {"Leave-one-out: the calibration perplexity (as mean NLL) with this block skipped alone, minus the "
                     "dense one.",
                     "Low: skipping the block costs little; pruned first. Measured with the model, not from statistics.",
                     "shortened-llama"}},
        {"sleb", {"SLEB: greedy removal, each step skipping the block whose removal raises calibration perplexity least.",
                  "The value is the removal step: low steps go first.", "sleb"}},
    };
    return kRows;
}

}  // namespace

MetricGuide metricGuide(std::string_view id) {
    constexpr std::string_view kIterative = "iterative:";
    if (id.substr(0, kIterative.size()) == kIterative) {
        const auto base = metricGuide(id.substr(kIterative.size()));
        const auto name = findMetric(id.substr(kIterative.size())).name;
        return {"Iterative " + name + ": remove the lowest block, re-score the rest on the pruned network, repeat.",
                "The value is the removal step: low steps go first.", base.source};
    }
    for (const auto& r : rows()) {
        if (id == r.id) return r.guide;
    }
    findMetric(id);  // UsageError listing the known ids
    throw UsageError({}, "no guide text for metric '" + std::string(id) + "'");
}

const DefaultMetric& defaultPruneMetric() {
    static const DefaultMetric kDefault{
        "bi",
        "Block Influence (ShortGPT) kept the most of the sample model's performance in the project's retention sweep "
        "(mean retention over WikiText-2 perplexity, SciQ and SST-2): level with SLEB at a quarter of the blocks removed "
        "(7 of 30), the best averaged over 3 to 9 blocks, and without SLEB's hundreds of extra forward passes. Every AVSS "
        "preset kept less than removing blocks at random.",
        "docs/results/pruning.md (the retention sweep of 2026-12-07; scripts/results-pruning.sh re-runs it)"};
    return kDefault;
}

const std::vector<GlossaryEntry>& glossary() {
    static const std::vector<GlossaryEntry> kTerms = {
        {"residual stream", "The vector each token carries from layer to layer. Every block reads it and adds its update to it."},
        {"block", "One transformer layer: attention then MLP, each adding to the residual stream. Pruning removes whole blocks."},
        {"block output (block_out)", "The residual stream after a block: what the next block reads."},
        {"MLP activation (mlp_act)", "Inside the MLP, the gated activation silu(gate) · up, before the down projection."},
        {"variance", "Per channel, how much an activation varies over the calibration tokens; averaged over channels."},
        {"sparsity", "The share of activations that are (near) zero: below a threshold, or measured by Hoyer's ratio."},
        {"Hoyer sparsity", "(√n − ‖a‖₁/‖a‖₂) / (√n − 1): 0 for a flat vector, 1 for a single non-zero entry."},
        {"normalised", "Divided by the sum over layers, so values of different layers add up to 1."},
        {"shard", "A slice of the calibration text scored on its own; the spread over shards gives error bars and rank stability."},
        {"Kendall τ", "Rank agreement of two orderings: 1 identical, 0 unrelated, −1 reversed."},
        {"lowest-k set", "The k layers a metric would prune first (k = a quarter of the layers)."},
        {"retention", "The pruned model's score over the dense one (perplexity: dense over pruned); 1 = nothing lost."},
        {"chance floor", "The score of guessing: 1/choices for multiple choice, the vocabulary size for perplexity."},
    };
    return kTerms;
}

const std::vector<Citation>& citations() {
    static const std::vector<Citation> kCitations = {
        {"avss", "Z. Song, Y. Wu, S. Huang, Z. Kang. AVSS: Layer Importance Evaluation in Large Language Models via "
                 "Activation Variance-Sparsity Analysis. 2024.", "2411.02117"},
        {"eavss", "Z. Song, S. Huang, Y. Wu, Z. Kang. Layer Importance and Hallucination Analysis in Large Language Models "
                  "via Enhanced Activation Variance-Sparsity. 2024.", "2411.10069"},
        {"shortgpt", "X. Men et al. ShortGPT: Layers in Large Language Models are More Redundant Than You Expect. 2024.",
         "2403.03853"},
        {"gromov", "A. Gromov et al. The Unreasonable Ineffectiveness of the Deeper Layers. 2024.", "2403.17887"},
        {"sleb", "J. Song et al. SLEB: Streamlining LLMs through Redundancy Verification and Elimination of Transformer "
                 "Blocks. ICML 2024.", "2402.09025"},
        {"shortened-llama", "B.-K. Kim et al. Shortened LLaMA: Depth Pruning for Large Language Models. 2024.", "2402.02834"},
        {"reassessing", "Y. Lu et al. Reassessing Layer Pruning in LLMs. 2024.", "2411.15558"},
        {"hoyer", "P. O. Hoyer. Non-negative Matrix Factorization with Sparseness Constraints. JMLR 5, 2004.", ""},
    };
    return kCitations;
}

}  // namespace avss
