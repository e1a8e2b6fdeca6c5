// AnalysisIdentity: canonical text, key and mismatch report from one ordered field list.
#include "avss/analysis_identity.h"

#include <sstream>

#include "avss/error.h"
#include "util/sha256.h"

namespace avss {
namespace {

std::string number(double v) {
    std::ostringstream o;
    o.precision(17);
    o << v;
    return o.str();
}

// Fingerprints are long hex strings; a message needs only their start.
std::string shortText(const IdentityValue& v) {
    const auto text = identityValueText(v);
    return text.size() > 16 ? text.substr(0, 12) + "…" : text;
}

}  // namespace

std::string identityValueText(const IdentityValue& value) {
    struct Visitor {
        std::string operator()(bool b) const { return b ? "true" : "false"; }
        std::string operator()(std::int64_t i) const { return std::to_string(i); }
        std::string operator()(double d) const { return number(d); }
        std::string operator()(const std::string& s) const { return s; }
        std::string operator()(const std::vector<double>& v) const {
            std::string out = "[";
            for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + number(v[i]);
            return out + "]";
        }
    };
    return std::visit(Visitor{}, value);
}

AnalysisIdentity::AnalysisIdentity(std::string kind) : m_kind(std::move(kind)) {}

void AnalysisIdentity::add(std::string key, std::string label, IdentityValue value) {
    for (const auto& f : m_fields) {
        if (f.key == key) throw UsageError({}, "analysis identity field '" + key + "' declared twice");  // a bug
    }
    m_fields.push_back({std::move(key), std::move(label), std::move(value)});
}

std::string AnalysisIdentity::canonicalText() const {
    std::string text = "kind=" + m_kind + "\n";
    for (const auto& f : m_fields) text += f.key + "=" + identityValueText(f.value) + "\n";
    return text;
}

std::string AnalysisIdentity::key() const {
    const auto text = canonicalText();
    return util::sha256Hex(text.data(), text.size()).substr(0, 24);
}

std::string AnalysisIdentity::mismatch(const AnalysisIdentity& wanted) const {
    if (m_kind != wanted.m_kind) return "a " + m_kind + " analysis, not " + wanted.m_kind;
    for (const auto& want : wanted.m_fields) {
        const IdentityField* have = nullptr;
        for (const auto& f : m_fields) {
            if (f.key == want.key) have = &f;
        }
        if (have == nullptr) return want.label + " was not recorded, now " + shortText(want.value);
        if (identityValueText(have->value) != identityValueText(want.value)) {
            return want.label + " was " + shortText(have->value) + ", now " + shortText(want.value);
        }
    }
    if (m_fields.size() != wanted.m_fields.size()) return "recorded fields differ from this version's";
    return {};
}

}  // namespace avss
