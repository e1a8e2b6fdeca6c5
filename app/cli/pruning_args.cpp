// Pruning-rule options.
#include "pruning_args.h"

#include "avss/error.h"

namespace avss::cli {

std::vector<OptionSpec> pruningRuleOptions() {
    return {{"rule", "NAME", "pruning rule: fraction, count, mass, reference-code", "fraction"},
            {"fraction", "P", "fraction rule: remove floor(P x layers)", "0.25"},
            {"count", "K", "count rule: remove K layers", "0"},
            {"mass", "TAU", "mass and reference-code rules: cumulative share", "0.25"},
            protectOption()};
}

OptionSpec protectOption() { return {"protect", "LIST", "blocks never removed: first, last or none", "first,last"}; }

Protection protectionFromArgs(const ParsedArgs& args) {
    Protection out;
    for (const auto& p : args.getList("protect")) {
        if (p == "first") out.first = true;
        else if (p == "last") out.last = true;
        else if (p != "none") throw UsageError({}, "--protect takes first, last or none, got '" + p + "'");
    }
    return out;
}

PruningRule pruningRuleFromArgs(const ParsedArgs& args) {
    PruningRule r;
    r.kind = parseRuleKind(args.get("rule"));
    r.fraction = args.getDouble("fraction");
    r.mass = args.getDouble("mass");
    r.count = static_cast<int>(args.getInt("count", 0, 1 << 20));
    const auto protection = protectionFromArgs(args);
    r.protectFirst = protection.first;
    r.protectLast = protection.last;
    return r;
}

}  // namespace avss::cli
