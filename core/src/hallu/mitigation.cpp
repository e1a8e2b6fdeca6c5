// Layer choice and mitigation reports (see avss/mitigation.h; schema in docs/hallucination.md).
#include "avss/mitigation.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <random>

#include "avss/error.h"
#include "eval/uniform_draw.h"
#include "model/hparams.h"
#include "util/atomic_file.h"
#include "util/json_number.h"

namespace avss {
namespace {

using nlohmann::ordered_json;
constexpr auto num = &util::finiteOrNull<ordered_json>;

ordered_json preferenceJson(const PairPreference& p) {
    return {{"pairs", p.pairs}, {"accuracy", num(p.accuracy)}, {"mean_margin", num(p.meanMargin)}, {"truthful_nll", num(p.truthfulNll)}};
}

ordered_json pairSpecJson(const PairSpec& s) {
    return {{"file", s.file.string()}, {"format", pairFormatName(s.format)}, {"limit", s.limit}, {"knowledge", s.knowledge},
            {"half", pairHalfName(s.half)}};
}

}  // namespace

LayerChoice parseLayerChoice(std::string_view text) {
    if (text == "auto") return LayerChoice::TopEavss;
    if (text == "lowest") return LayerChoice::LowestEavss;
    if (text == "random") return LayerChoice::Random;
    if (text == "all") return LayerChoice::All;
    return LayerChoice::Listed;
}

const char* layerChoiceName(LayerChoice choice) {
    switch (choice) {
        case LayerChoice::Listed: return "listed";
        case LayerChoice::TopEavss: return "auto";
        case LayerChoice::LowestEavss: return "lowest";
        case LayerChoice::Random: return "random";
        case LayerChoice::All: return "all";
    }
    return "?";
}

std::vector<int> chooseLayers(LayerChoice choice, int layerCount, int k, const std::vector<int>& listed, const HalluScores* scores,
                              std::uint64_t seed) {
    if (k < 0) k = std::max(1, layerCount / 4);
    k = std::min(k, layerCount);
    std::vector<int> out;
    switch (choice) {
        case LayerChoice::Listed:
            if (listed.empty()) throw UsageError({}, "no layers listed to train");
            model::checkLayerNumbers(listed, layerCount);
            out = listed;
            break;
        case LayerChoice::TopEavss:
        case LayerChoice::LowestEavss: {
            if (scores == nullptr) throw UsageError({}, std::string("choosing layers by EAVSS (") + layerChoiceName(choice) + ") needs a hallucination analysis");
            if (static_cast<int>(scores->eavss.pruneOrder.size()) != layerCount) throw UsageError({}, "the hallucination analysis is of another model");
            const auto& order = scores->eavss.pruneOrder;  // most prone first
            if (choice == LayerChoice::TopEavss) out.assign(order.begin(), order.begin() + k);
            else out.assign(order.end() - k, order.end());
            break;
        }
        case LayerChoice::Random: {
            std::vector<int> all(static_cast<std::size_t>(layerCount));
            for (int l = 0; l < layerCount; ++l) all[static_cast<std::size_t>(l)] = l;
            std::mt19937_64 g(seed);
            for (int i = 0; i < k; ++i) {
                const auto j = static_cast<std::size_t>(i) + eval::uniformBelow(g, static_cast<std::uint64_t>(layerCount - i));
                std::swap(all[static_cast<std::size_t>(i)], all[j]);
            }
            out.assign(all.begin(), all.begin() + k);
            break;
        }
        case LayerChoice::All:
            for (int l = 0; l < layerCount; ++l) out.push_back(l);
            break;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

TaskSpec withoutTrainingQuestions(TaskSpec spec, const PairSet& train) {
    for (const auto& p : train.pairs) spec.excludedQuestions.push_back(p.question);
    return spec;
}

std::string mitigationReportJson(const MitigationReport& r) {
    const auto& o = r.options;
    ordered_json steps = ordered_json::array();
    for (const auto& s : r.steps) {
        steps.push_back({{"step", s.step}, {"loss", num(s.loss)}, {"contrastive", num(s.contrastive)}, {"lm", num(s.lm)},
                         {"preference", num(s.preference)}, {"grad_norm", num(s.gradNorm)}, {"seconds", num(s.seconds)}});
    }
    ordered_json evals = ordered_json::array();
    for (std::size_t i = 0; i < r.evalBefore.size() && i < r.evalAfter.size(); ++i) {
        evals.push_back({{"before", ordered_json::parse(toJson(r.evalBefore[i]))}, {"after", ordered_json::parse(toJson(r.evalAfter[i]))}});
    }
    ordered_json doc = {{"schema", "avss-mitigation-report"},
                        {"schema_version", 1},
                        {"model", {{"name", r.modelName}, {"fingerprint", r.modelFingerprint}}},
                        {"train", pairSpecJson(r.train)},
                        {"train_pairs", r.trainPairs},
                        {"layer_choice", r.layerChoice},
                        {"layers", o.layers},
                        {"options", {{"pairs_per_step", o.pairsPerStep}, {"learning_rate", o.learningRate}, {"weight_decay", o.weightDecay},
                                     {"clip_norm", o.clipNorm}, {"beta", o.beta}, {"contrastive_weight", o.contrastiveWeight},
                                     {"lm_weight", o.lmWeight}, {"length_match", o.lengthMatch}, {"seed", o.seed}}},
                        {"first_step", r.firstStep},
                        {"train_seconds", num(r.trainSeconds)},
                        {"steps", steps}};
    if (r.heldOut) doc["held_out"] = pairSpecJson(*r.heldOut);
    if (r.before) doc["held_out_before"] = preferenceJson(*r.before);
    if (r.after) doc["held_out_after"] = preferenceJson(*r.after);
    doc["evaluations"] = evals;
    if (r.divergence) {
        doc["kl_to_original"] = {{"text", r.klText}, {"tokens", r.divergence->tokens}, {"mean_kl", num(r.divergence->meanKl)},
                                 {"max_kl", num(r.divergence->maxKl)}};
    }
    return doc.dump(2) + "\n";
}

void writeMitigationReport(const std::filesystem::path& file, const MitigationReport& report) {
    util::writeFileAtomically(file, mitigationReportJson(report));
}

}  // namespace avss
