// Selection rules (see avss/pruning_plan.h and docs/metrics.md, "Selection rules").
#include "avss/pruning_plan.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "avss/error.h"

namespace avss {
namespace {

bool isProtected(int layer, int L, const PruningRule& r) {
    return (r.protectFirst && layer == 0) || (r.protectLast && layer == L - 1);
}

std::string protectionText(const PruningRule& r) {
    if (r.protectFirst && r.protectLast) return "first and last blocks protected";
    if (r.protectFirst) return "first block protected";
    if (r.protectLast) return "last block protected";
    return "no block protected";
}

bool isGuarded(int layer, const LayerScores& s) {
    return std::find(s.guardedLayers.begin(), s.guardedLayers.end(), layer) != s.guardedLayers.end();
}

std::string layerList(const std::vector<int>& layers) {
    std::ostringstream o;
    for (std::size_t i = 0; i < layers.size(); ++i) o << (i ? ", " : "") << layers[i];
    return o.str();
}

// Mass rules need non-negative, finite values where small means "prune first". A guarded value is
// a lower bound, not an amount: it would set the total, so it stays out of it.
double checkedTotal(const LayerScores& s, const char* rule) {
    const auto& metric = findMetric(s.metric);
    if (!ruleApplies(RuleKind::Mass, metric)) {
        const std::string why = metric.order == PruneOrder::HighFirst ? " prunes high values first" : "'s values are not amounts to add up";
        throw UsageError({}, std::string("the ") + rule + " rule needs a metric whose low values are pruned first and add up; " +
                                 s.metric + why,
                         "Use the count or fraction rule.");
    }
    double total = 0;
    for (const auto& l : s.layers) {
        if (!std::isfinite(l.value) || l.value < 0) {
            throw UsageError({}, std::string("the ") + rule + " rule needs finite, non-negative scores; layer " +
                                     std::to_string(l.layer) + " of " + s.metric + " is " + std::to_string(l.value));
        }
        if (!isGuarded(l.layer, s)) total += l.value;
    }
    if (!(total > 0)) throw UsageError({}, std::string("the ") + rule + " rule needs a positive total score over the layers without a guard");
    return total;
}

std::vector<int> candidates(const LayerScores& s, const PruningRule& r) {
    std::vector<int> c;
    const int L = static_cast<int>(s.layers.size());
    for (int l : s.pruneOrder) {
        if (!isProtected(l, L, r)) c.push_back(l);
    }
    return c;
}

std::vector<int> byCount(const LayerScores& s, const PruningRule& r, int k) {
    const auto c = candidates(s, r);
    if (k < 0 || k > static_cast<int>(c.size())) {
        throw UsageError({}, "cannot remove " + std::to_string(k) + " of " + std::to_string(s.layers.size()) + " layers (" +
                                 std::to_string(c.size()) + " may be removed, " + protectionText(r) + ")");
    }
    return {c.begin(), c.begin() + k};
}

std::vector<int> byMass(const LayerScores& s, const PruningRule& r) {
    const double total = checkedTotal(s, "mass");
    std::vector<int> out;
    double cum = 0;
    for (int l : candidates(s, r)) {  // ascending values: the running sum only grows
        if (isGuarded(l, s)) continue;
        cum += s.layers[static_cast<std::size_t>(l)].value / total;
        if (cum > r.mass + 1e-12) break;
        out.push_back(l);
    }
    return out;
}

// The authors' AVSS.py: running sum in LAYER order, then keep rows with a sum ≤ mass.
std::vector<int> byReferenceCode(const LayerScores& s, const PruningRule& r, std::vector<std::string>& notes) {
    const double total = checkedTotal(s, "reference-code");
    std::vector<int> out;
    double cum = 0;
    const int L = static_cast<int>(s.layers.size());
    for (int l = 0; l < L; ++l) {
        if (isGuarded(l, s)) continue;  // the authors' script divides by zero here
        cum += s.layers[static_cast<std::size_t>(l)].value / total;
        if (cum > r.mass + 1e-12) continue;
        if (isProtected(l, L, r)) {
            notes.push_back("layer " + std::to_string(l) + " was selected by the reference-code rule but is protected");
            continue;
        }
        out.push_back(l);
    }
    notes.push_back("the reference-code rule sums scores in layer order before sorting, so it always selects a prefix of "
                    "early layers; it is reproduced for comparison, not recommended");
    return out;
}

// One note per guarded layer, and for the mass rules what leaving them out of the total means.
void addGuardNotes(const LayerScores& s, const PruningRule& r, PruningPlan& p) {
    const std::string guard = s.guardNote.empty() ? "sparsity set to half an element" : s.guardNote;
    for (int l : s.guardedLayers) {
        p.notes.push_back("layer " + std::to_string(l) + ": " + guard + ", so its score rests on this guard and is a lower bound");
    }
    if (!s.guardedLayers.empty() && isMassRule(r.kind)) {
        p.notes.push_back("the " + std::string(ruleName(r.kind)) + " rule leaves guarded layers " + layerList(s.guardedLayers) +
                          " out of the total and never selects them: a lower bound is not an amount, and counting it would "
                          "let the guard decide how many other layers fit under the mass");
    }
}

void validate(const PruningRule& r) {
    if (r.kind == RuleKind::Fraction && !(r.fraction >= 0 && r.fraction < 1)) {
        throw UsageError({}, "fraction must be in [0, 1), got " + std::to_string(r.fraction));
    }
    if (isMassRule(r.kind) && !(r.mass >= 0 && r.mass <= 1)) {
        throw UsageError({}, "mass must be in [0, 1], got " + std::to_string(r.mass));
    }
}

}  // namespace

bool isMassRule(RuleKind kind) { return kind == RuleKind::Mass || kind == RuleKind::ReferenceCode; }

bool ruleApplies(RuleKind kind, const MetricInfo& metric) {
    return !isMassRule(kind) || (metric.order == PruneOrder::LowFirst && metric.valuesAreAmounts);
}

const char* ruleName(RuleKind kind) {
    switch (kind) {
        case RuleKind::Count: return "count";
        case RuleKind::Fraction: return "fraction";
        case RuleKind::Mass: return "mass";
        case RuleKind::ReferenceCode: return "reference-code";
    }
    return "?";
}

RuleKind parseRuleKind(std::string_view name) {
    for (auto k : {RuleKind::Count, RuleKind::Fraction, RuleKind::Mass, RuleKind::ReferenceCode}) {
        if (name == ruleName(k)) return k;
    }
    throw UsageError({}, "unknown rule '" + std::string(name) + "' (known: count, fraction, mass, reference-code)");
}

PruningPlan planPruning(const LayerScores& s, const PruningRule& r) {
    validate(r);
    PruningPlan p;
    p.metric = s.metric;
    p.rule = r;
    const int L = static_cast<int>(s.layers.size());
    std::ostringstream d;
    switch (r.kind) {
        case RuleKind::Count:
            p.removed = byCount(s, r, r.count);
            d << "count: the " << r.count << " first layers by " << s.metric;
            break;
        case RuleKind::Fraction: {
            const int k = static_cast<int>(std::floor(r.fraction * L + 1e-9));
            p.removed = byCount(s, r, k);
            d << "fraction " << r.fraction << " of " << L << " layers = floor(" << r.fraction * L << ") = " << k
              << " first layers by " << s.metric;
            break;
        }
        case RuleKind::Mass:
            p.removed = byMass(s, r);
            d << "mass: lowest " << s.metric << " layers while their share of the total stays <= " << r.mass;
            break;
        case RuleKind::ReferenceCode:
            p.removed = byReferenceCode(s, r, p.notes);
            d << "reference-code: cumulative share of " << s.metric << " in layer order <= " << r.mass;
            break;
    }
    if (!s.guardedLayers.empty() && isMassRule(r.kind)) {
        d << " (total over the " << L - static_cast<int>(s.guardedLayers.size()) << " layers without a guard)";
    }
    d << "; " << protectionText(r);
    p.description = d.str();
    addGuardNotes(s, r, p);
    for (int l = 0; l < L; ++l) {
        if (std::find(p.removed.begin(), p.removed.end(), l) == p.removed.end()) p.kept.push_back(l);
    }
    return p;
}

PruningPlan planSpanPruning(const SpanScores& spans, int layerCount, bool protectFirst, bool protectLast) {
    PruningRule r;
    r.kind = RuleKind::Count;
    r.count = spans.length;
    r.protectFirst = protectFirst;
    r.protectLast = protectLast;
    std::vector<const LayerScore*> order;
    for (const auto& s : spans.starts) order.push_back(&s);
    std::sort(order.begin(), order.end(), [](const LayerScore* a, const LayerScore* b) { return a->rank < b->rank; });
    for (const auto* s : order) {
        bool touches = false;
        for (int l = s->layer; l < s->layer + spans.length; ++l) touches = touches || isProtected(l, layerCount, r);
        if (touches || std::isnan(s->value)) continue;
        PruningPlan p;
        p.metric = "angular-span";
        p.rule = r;
        for (int l = s->layer; l < s->layer + spans.length; ++l) p.removed.push_back(l);
        for (int l = 0; l < layerCount; ++l) {
            if (l < s->layer || l >= s->layer + spans.length) p.kept.push_back(l);
        }
        p.description = "contiguous span of " + std::to_string(spans.length) + " blocks with the smallest last-token angular distance d(" +
                        std::to_string(s->layer) + ", " + std::to_string(spans.length) + "); " + protectionText(r);
        return p;
    }
    throw UsageError({}, "no span of " + std::to_string(spans.length) + " blocks avoids the protected blocks");
}

PruningRule switchRule(const LayerScores& scores, const PruningRule& rule, RuleKind to) {
    if (!ruleApplies(to, findMetric(scores.metric))) return rule;
    const auto removedNow = static_cast<int>(planPruning(scores, rule).removed.size());
    PruningRule out = rule;
    out.kind = to;
    const int L = static_cast<int>(scores.layers.size());
    if (to == RuleKind::Count) out.count = removedNow;
    if (to == RuleKind::Fraction) out.fraction = L > 0 ? static_cast<double>(removedNow) / L : 0.0;
    if (isMassRule(to)) {  // the smallest mass, in 1 % steps, whose plan's size is closest to now's
        double bestMass = 0;
        int bestGap = -1;
        PruningRule trial = out;
        for (int percent = 0; percent <= 100 && bestGap != 0; ++percent) {
            trial.mass = percent / 100.0;
            const int gap = std::abs(static_cast<int>(planPruning(scores, trial).removed.size()) - removedNow);
            if (bestGap < 0 || gap < bestGap) bestGap = gap, bestMass = trial.mass;
        }
        out.mass = bestMass;
    }
    return out;
}

}  // namespace avss
