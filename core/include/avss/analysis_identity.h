// The identity of an analysis: the ordered list of fields that change its numbers. Equality, the
// cache key that names stored results and the "why is this stale" text all derive from that one
// list, so an analysis kind declares its fields once (docs/architecture.md, "Add an analysis kind").
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace avss {

using IdentityValue = std::variant<bool, std::int64_t, double, std::string, std::vector<double>>;

struct IdentityField {
    std::string key;    // stable, machine-readable: "sequence_length" (also the cache attribute's name)
    std::string label;  // words for messages: "sequence length"
    IdentityValue value;
};

class AnalysisIdentity {
public:
    explicit AnalysisIdentity(std::string kind);  // "activation-stats", later "eval-cell", ...
    void add(std::string key, std::string label, IdentityValue value);

    const std::string& kind() const { return m_kind; }
    const std::vector<IdentityField>& fields() const { return m_fields; }

    // "kind=<kind>\n<key>=<value>\n…" with doubles at 17 significant digits: what the key hashes.
    std::string canonicalText() const;
    // First 24 hex digits of SHA-256 over canonicalText(): names cache entries (stable across runs
    // and platforms, changes whenever any field does).
    std::string key() const;
    // "" when equal; otherwise the first field that differs, e.g. "sequence length was 128, now 256".
    std::string mismatch(const AnalysisIdentity& wanted) const;

    bool operator==(const AnalysisIdentity& o) const { return canonicalText() == o.canonicalText(); }
    bool operator!=(const AnalysisIdentity& o) const { return !(*this == o); }

private:
    std::string m_kind;
    std::vector<IdentityField> m_fields;
};

std::string identityValueText(const IdentityValue& value);  // canonical: 17 digits, "true"/"false", "[a, b]"

}  // namespace avss
