// Schema version 1: provenance as attributes of /provenance, accumulators as datasets stacked over
// [shard, layer, ...] under /stats/<point>, /stats/transition and /stats/spans.
#include "cache/cache_schema.h"

#include <functional>
#include <sstream>
#include <variant>

#include "analysis/stats_identity.h"
#include "avss/error.h"

namespace avss::cache {
namespace {

constexpr StatPoint kPoints[] = {StatPoint::BlockOut, StatPoint::MlpAct, StatPoint::AttnOut};

bool stored(StatPoint p, const StatsSettings& s) { return p != StatPoint::AttnOut || s.attnOut; }

std::size_t widthOf(StatPoint p, const StatsProvenance& prov) {
    return static_cast<std::size_t>(p == StatPoint::MlpAct ? prov.ffnSize : prov.hiddenSize);
}

template <class T, class Get>
std::vector<T> gather(const ActivationStats& st, Get&& get) {  // [S, L] scalars
    std::vector<T> out;
    for (const auto& sh : st.shards) {
        for (const auto& l : sh.layers) out.push_back(get(l));
    }
    return out;
}

template <class T, class Get>
std::vector<T> gatherVec(const ActivationStats& st, std::size_t n, Get&& get) {  // [S, L, n]
    std::vector<T> out;
    for (const auto& sh : st.shards) {
        for (const auto& l : sh.layers) {
            const std::vector<T>& v = get(l);
            if (v.size() != n) throw UsageError({}, "statistics with inconsistent widths cannot be stored");
            out.insert(out.end(), v.begin(), v.end());
        }
    }
    return out;
}

void writeSite(H5Writer& w, const ActivationStats& st, StatPoint p) {
    const auto& prov = st.provenance;
    const std::string g = std::string("/stats/") + statPointName(p);
    w.group(g);
    const std::size_t S = st.shards.size(), L = static_cast<std::size_t>(prov.layerCount), W = widthOf(p, prov);
    const std::size_t K = prov.options.settings.absThresholds.size(), J = prov.options.settings.relThresholds.size();
    const auto site = [p](const LayerStats& l) -> const SiteStats& { return l.site(p); };
    w.dataset(g + "/tokens", {S, L}, gather<std::int64_t>(st, [&](const LayerStats& l) { return site(l).tokens; }).data());
    w.dataset(g + "/mean", {S, L, W}, gatherVec<double>(st, W, [&](const LayerStats& l) -> const std::vector<double>& { return site(l).mean; }).data());
    w.dataset(g + "/m2", {S, L, W}, gatherVec<double>(st, W, [&](const LayerStats& l) -> const std::vector<double>& { return site(l).m2; }).data());
    w.dataset(g + "/near_zero_abs", {S, L, K}, gatherVec<std::int64_t>(st, K, [&](const LayerStats& l) -> const std::vector<std::int64_t>& { return site(l).nearZeroAbs; }).data());
    w.dataset(g + "/near_zero_rel", {S, L, J}, gatherVec<std::int64_t>(st, J, [&](const LayerStats& l) -> const std::vector<std::int64_t>& { return site(l).nearZeroRel; }).data());
    w.dataset(g + "/hoyer_sum", {S, L}, gather<double>(st, [&](const LayerStats& l) { return site(l).hoyerSum; }).data());
    w.dataset(g + "/pooled_samples", {S, L}, gather<std::int64_t>(st, [&](const LayerStats& l) { return site(l).pooledSamples; }).data());
    w.dataset(g + "/pooled_var_sum", {S, L}, gather<double>(st, [&](const LayerStats& l) { return site(l).pooledVarSum; }).data());
    w.dataset(g + "/ref_batches", {S, L}, gather<std::int64_t>(st, [&](const LayerStats& l) { return site(l).refBatches; }).data());
    w.dataset(g + "/ref_pooled_var_sum", {S, L}, gather<double>(st, [&](const LayerStats& l) { return site(l).refPooledVarSum; }).data());
    w.dataset(g + "/ref_near_zero_sum", {S, L}, gather<double>(st, [&](const LayerStats& l) { return site(l).refNearZeroSum; }).data());
}

void writeTransitionsAndSpans(H5Writer& w, const ActivationStats& st) {
    const std::size_t S = st.shards.size(), L = static_cast<std::size_t>(st.provenance.layerCount);
    w.group("/stats/transition");
    w.dataset("/stats/transition/tokens", {S, L}, gather<std::int64_t>(st, [](const LayerStats& l) { return l.transition.tokens; }).data());
    w.dataset("/stats/transition/cos_sum", {S, L}, gather<double>(st, [](const LayerStats& l) { return l.transition.cosSum; }).data());
    w.dataset("/stats/transition/angle_sum", {S, L}, gather<double>(st, [](const LayerStats& l) { return l.transition.angleSum; }).data());
    w.dataset("/stats/transition/rel_update_sum", {S, L}, gather<double>(st, [](const LayerStats& l) { return l.transition.relUpdateSum; }).data());
    w.group("/stats/spans");
    std::vector<std::int64_t> seqs, shardSeqs;
    std::vector<double> angle, cos;
    const std::size_t states = L + 1;
    for (const auto& sh : st.shards) {
        seqs.push_back(sh.spans.sequences);
        shardSeqs.push_back(sh.sequences);
        auto a = sh.spans.angleSum, c = sh.spans.cosSum;
        a.resize(states * states, 0.0);  // a shard without last tokens stores zeros
        c.resize(states * states, 0.0);
        angle.insert(angle.end(), a.begin(), a.end());
        cos.insert(cos.end(), c.begin(), c.end());
    }
    w.dataset("/stats/shard_sequences", {S}, shardSeqs.data());
    w.dataset("/stats/spans/sequences", {S}, seqs.data());
    w.dataset("/stats/spans/angle_sum", {S, states, states}, angle.data());
    w.dataset("/stats/spans/cos_sum", {S, states, states}, cos.data());
}

// Identity fields from the one table (stats_identity.h): bools and integers as int64 attributes,
// lists as datasets under /provenance.
void writeIdentity(H5Writer& w, const std::string& g, const StatsProvenance& p) {
    for (const auto& f : analysis::statsIdentityFields()) {
        const auto v = f.get(p);
        const std::string key = f.key;
        if (const auto* b = std::get_if<bool>(&v)) w.attribute(g, key, std::int64_t{*b ? 1 : 0});
        else if (const auto* i = std::get_if<std::int64_t>(&v)) w.attribute(g, key, *i);
        else if (const auto* d = std::get_if<double>(&v)) w.attribute(g, key, *d);
        else if (const auto* t = std::get_if<std::string>(&v)) w.attribute(g, key, *t);
        else if (const auto* list = std::get_if<std::vector<double>>(&v)) w.dataset(g + "/" + key, {list->size()}, list->data());
    }
}

void writeProvenance(H5Writer& w, const StatsProvenance& p) {
    const std::string g = "/provenance";
    w.group(g);
    writeIdentity(w, g, p);
    w.attribute(g, "model_name", p.modelName);
    w.attribute(g, "layer_count", std::int64_t{p.layerCount});
    w.attribute(g, "hidden_size", std::int64_t{p.hiddenSize});
    w.attribute(g, "ffn_size", std::int64_t{p.ffnSize});
    w.attribute(g, "data_name", p.dataName);
    w.attribute(g, "tokens_available", p.tokensAvailable);
    w.attribute(g, "tokens", p.tokens);
    w.attribute(g, "calibration_tokens", p.calibrationTokens);
    w.attribute(g, "sequences", std::int64_t{p.sequences});
    w.attribute(g, "shard_count", std::int64_t{p.shardCount});
    w.attribute(g, "bos_per_window", std::int64_t{p.bosPerWindow ? 1 : 0});
    w.attribute(g, "tool_version", p.toolVersion);
    w.attribute(g, "created_utc", p.createdUtc);
    std::string warnings;
    for (const auto& s : p.warnings) warnings += (warnings.empty() ? "" : "\n") + s;
    w.attribute(g, "warnings", warnings);
}

}  // namespace

void writeStats(H5Writer& w, const ActivationStats& st, int schemaVersion) {
    w.attribute("/", "format", std::string(kFormatName));
    w.attribute("/", "schema_version", std::int64_t{schemaVersion});
    w.attribute("/", "tool_version", st.provenance.toolVersion);
    w.attribute("/", "layout", std::string("per-shard accumulators stacked as [shard, layer, ...]; layers 0-based; see docs/cache-schema.md"));
    writeProvenance(w, st.provenance);
    w.group("/stats");
    for (auto p : kPoints) {
        if (stored(p, st.provenance.options.settings)) writeSite(w, st, p);
    }
    writeTransitionsAndSpans(w, st);
}

namespace {

const char* kHint = "The cache is damaged or was not written by AVSS Explorer; delete it to recompute.";

int positiveInt(const H5Reader& r, const std::filesystem::path& file, const char* name, std::int64_t max) {
    const auto v = r.intAttribute("/provenance", name);
    if (v < 1 || v > max) throw FormatError(file, std::string("/provenance@") + name + " is " + std::to_string(v) + ", out of range", kHint);
    return static_cast<int>(v);
}

std::vector<double> thresholds(const H5Reader& r, const std::string& path) {
    const auto d = r.dims(path);
    return r.doubles(path, d.size() == 1 ? d : Dims{0});
}

void check(bool ok, const std::filesystem::path& file, const std::string& what) {
    if (!ok) throw FormatError(file, what, kHint);
}

void readSite(const H5Reader& r, const std::filesystem::path& file, ActivationStats& st, StatPoint p) {
    const auto& prov = st.provenance;
    const std::string g = std::string("/stats/") + statPointName(p);
    const std::size_t S = st.shards.size(), L = static_cast<std::size_t>(prov.layerCount), W = widthOf(p, prov);
    const std::size_t K = prov.options.settings.absThresholds.size(), J = prov.options.settings.relThresholds.size();
    const auto tokens = r.ints(g + "/tokens", {S, L});
    const auto mean = r.doubles(g + "/mean", {S, L, W});
    const auto m2 = r.doubles(g + "/m2", {S, L, W});
    const auto nza = r.ints(g + "/near_zero_abs", {S, L, K});
    const auto nzr = r.ints(g + "/near_zero_rel", {S, L, J});
    const auto hoyer = r.doubles(g + "/hoyer_sum", {S, L});
    const auto pooledN = r.ints(g + "/pooled_samples", {S, L});
    const auto pooled = r.doubles(g + "/pooled_var_sum", {S, L});
    const auto refN = r.ints(g + "/ref_batches", {S, L});
    const auto refVar = r.doubles(g + "/ref_pooled_var_sum", {S, L});
    const auto refNz = r.doubles(g + "/ref_near_zero_sum", {S, L});
    for (std::size_t s = 0; s < S; ++s) {
        for (std::size_t l = 0; l < L; ++l) {
            const std::size_t i = s * L + l;
            auto& site = st.shards[s].layers[l].site(p);
            site.tokens = tokens[i];
            const double elements = static_cast<double>(site.tokens) * static_cast<double>(W);
            check(site.tokens >= 0 && pooledN[i] >= 0 && refN[i] >= 0, file, g + ": negative count at shard " + std::to_string(s) + ", layer " + std::to_string(l));
            site.mean.assign(mean.begin() + static_cast<std::ptrdiff_t>(i * W), mean.begin() + static_cast<std::ptrdiff_t>((i + 1) * W));
            site.m2.assign(m2.begin() + static_cast<std::ptrdiff_t>(i * W), m2.begin() + static_cast<std::ptrdiff_t>((i + 1) * W));
            site.nearZeroAbs.assign(nza.begin() + static_cast<std::ptrdiff_t>(i * K), nza.begin() + static_cast<std::ptrdiff_t>((i + 1) * K));
            site.nearZeroRel.assign(nzr.begin() + static_cast<std::ptrdiff_t>(i * J), nzr.begin() + static_cast<std::ptrdiff_t>((i + 1) * J));
            for (auto c : site.nearZeroAbs) check(c >= 0 && static_cast<double>(c) <= elements, file, g + "/near_zero_abs: count out of range");
            for (auto c : site.nearZeroRel) check(c >= 0 && static_cast<double>(c) <= elements, file, g + "/near_zero_rel: count out of range");
            for (double v : site.m2) check(v >= 0, file, g + "/m2: negative or NaN entry");
            site.hoyerSum = hoyer[i];
            site.pooledSamples = pooledN[i];
            site.pooledVarSum = pooled[i];
            site.refBatches = refN[i];
            site.refPooledVarSum = refVar[i];
            site.refNearZeroSum = refNz[i];
        }
    }
}

void readTransitionsAndSpans(const H5Reader& r, const std::filesystem::path& file, ActivationStats& st) {
    const std::size_t S = st.shards.size(), L = static_cast<std::size_t>(st.provenance.layerCount), states = L + 1;
    const auto tokens = r.ints("/stats/transition/tokens", {S, L});
    const auto cos = r.doubles("/stats/transition/cos_sum", {S, L});
    const auto angle = r.doubles("/stats/transition/angle_sum", {S, L});
    const auto rel = r.doubles("/stats/transition/rel_update_sum", {S, L});
    const auto shardSeqs = r.ints("/stats/shard_sequences", {S});
    const auto seqs = r.ints("/stats/spans/sequences", {S});
    const auto spanAngle = r.doubles("/stats/spans/angle_sum", {S, states, states});
    const auto spanCos = r.doubles("/stats/spans/cos_sum", {S, states, states});
    for (std::size_t s = 0; s < S; ++s) {
        auto& sh = st.shards[s];
        check(shardSeqs[s] >= 0 && seqs[s] >= 0, file, "/stats/spans: negative sequence count");
        sh.sequences = shardSeqs[s];
        for (std::size_t l = 0; l < L; ++l) {
            const std::size_t i = s * L + l;
            sh.layers[l].transition = TransitionStats{tokens[i], cos[i], angle[i], rel[i]};
        }
        sh.spans.states = static_cast<int>(states);
        sh.spans.sequences = seqs[s];
        const auto b = static_cast<std::ptrdiff_t>(s * states * states), e = static_cast<std::ptrdiff_t>((s + 1) * states * states);
        sh.spans.angleSum.assign(spanAngle.begin() + b, spanAngle.begin() + e);
        sh.spans.cosSum.assign(spanCos.begin() + b, spanCos.begin() + e);
    }
}

}  // namespace

namespace {

// Identity fields from the one table; a field the file predates gets the table's `absent` value
// (engine version 0: such a cache never matches what this engine would compute).
void readIdentity(const H5Reader& r, const std::string& g, StatsProvenance& p) {
    for (const auto& f : analysis::statsIdentityFields()) {
        const std::string key = f.key;
        const bool isList = std::holds_alternative<std::vector<double>>(f.absent);
        if (!(isList ? r.has(g + "/" + key) : r.hasAttribute(g, key))) {
            f.set(p, f.absent);
        } else if (std::holds_alternative<bool>(f.absent)) {
            f.set(p, r.intAttribute(g, key) != 0);
        } else if (std::holds_alternative<std::int64_t>(f.absent)) {
            f.set(p, r.intAttribute(g, key));
        } else if (std::holds_alternative<double>(f.absent)) {
            f.set(p, r.doubleAttribute(g, key));
        } else if (std::holds_alternative<std::string>(f.absent)) {
            f.set(p, r.stringAttribute(g, key));
        } else {
            f.set(p, thresholds(r, g + "/" + key));
        }
    }
}

}  // namespace

StatsProvenance readProvenance(const H5Reader& r) {
    StatsProvenance p;
    const std::string g = "/provenance";
    readIdentity(r, g, p);
    p.modelName = r.stringAttribute(g, "model_name");
    p.layerCount = static_cast<int>(r.intAttribute(g, "layer_count"));
    p.hiddenSize = static_cast<int>(r.intAttribute(g, "hidden_size"));
    p.ffnSize = static_cast<int>(r.intAttribute(g, "ffn_size"));
    p.dataName = r.stringAttribute(g, "data_name");
    p.tokensAvailable = r.intAttribute(g, "tokens_available");
    p.tokens = r.intAttribute(g, "tokens");
    p.sequences = static_cast<int>(r.intAttribute(g, "sequences"));
    p.shardCount = static_cast<int>(r.intAttribute(g, "shard_count"));
    p.bosPerWindow = r.intAttribute(g, "bos_per_window") != 0;
    // Caches from before this attribute: the windows consumed sequence length (less BOS) tokens each.
    p.calibrationTokens = r.hasAttribute(g, "calibration_tokens")
                              ? r.intAttribute(g, "calibration_tokens")
                              : static_cast<std::int64_t>(p.sequences) * (p.options.sequenceLength - (p.bosPerWindow ? 1 : 0));
    p.toolVersion = r.stringAttribute(g, "tool_version");
    p.createdUtc = r.stringAttribute(g, "created_utc");
    std::istringstream warnings(r.stringAttribute(g, "warnings"));
    for (std::string line; std::getline(warnings, line);) p.warnings.push_back(line);
    return p;
}

ActivationStats readStats(const H5Reader& r, const std::filesystem::path& file) {
    ActivationStats st;
    st.provenance = readProvenance(r);
    auto& p = st.provenance;
    p.layerCount = positiveInt(r, file, "layer_count", 100000);
    p.hiddenSize = positiveInt(r, file, "hidden_size", 1 << 20);
    p.ffnSize = positiveInt(r, file, "ffn_size", 1 << 22);
    p.shardCount = positiveInt(r, file, "shard_count", 1 << 16);
    // Every (shard, layer) pair has stored counts (8 bytes each and more), so a genuine cache is
    // larger than this; checked before the per-layer structures are allocated.
    std::error_code ec;
    const auto fileBytes = std::filesystem::file_size(file, ec);
    check(!ec && static_cast<std::uint64_t>(p.shardCount) * static_cast<std::uint64_t>(p.layerCount) <= fileBytes / 8, file,
          "/provenance: " + std::to_string(p.shardCount) + " shards of " + std::to_string(p.layerCount) +
              " layers cannot fit in a file of " + std::to_string(fileBytes) + " bytes");
    st.shards.resize(static_cast<std::size_t>(p.shardCount));
    for (auto& sh : st.shards) sh.layers.resize(static_cast<std::size_t>(p.layerCount));
    for (auto pt : kPoints) {
        if (stored(pt, p.options.settings)) readSite(r, file, st, pt);
    }
    readTransitionsAndSpans(r, file, st);
    return st;
}

}  // namespace avss::cache
