// One pass over the spec; the merge check builds a vocabulary index, which is cheap next to loading.
#include "tokenizer/spec_check.h"

#include <cstdint>
#include <string_view>
#include <unordered_set>

#include "tokenizer/bpe.h"

namespace avss::tok {
namespace {

std::optional<SpecProblem> lengthProblem(SpecField field, std::size_t size, std::size_t tokens) {
    if (size == 0 || size == tokens) return std::nullopt;
    return SpecProblem{field, "has " + std::to_string(size) + " entries but there are " + std::to_string(tokens) +
                                  " tokens"};
}

std::optional<SpecProblem> idProblem(SpecField field, TokenId id, std::size_t tokens) {
    if (id >= -1 && (id < 0 || static_cast<std::size_t>(id) < tokens)) return std::nullopt;
    return SpecProblem{field, "id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(tokens) +
                                  " tokens"};
}

std::optional<SpecProblem> mergeProblem(const std::vector<std::string>& tokens, const std::vector<std::string>& merges) {
    const std::unordered_set<std::string_view> vocab(tokens.begin(), tokens.end());
    std::string joined;
    for (std::size_t rank = 0; rank < merges.size(); ++rank) {
        const std::string prefix = "merge " + std::to_string(rank) + " '" + merges[rank] + "'";
        const auto parts = splitMerge(merges[rank]);
        if (!parts) return SpecProblem{SpecField::Merges, prefix + " is not two symbols separated by one space"};
        for (const auto part : {parts->first, parts->second}) {
            if (!vocab.count(part)) {
                return SpecProblem{SpecField::Merges, prefix + ": '" + std::string(part) + "' is not in the vocabulary"};
            }
        }
        joined.assign(parts->first).append(parts->second);
        if (!vocab.count(joined)) {
            return SpecProblem{SpecField::Merges, prefix + ": the result '" + joined + "' is not in the vocabulary"};
        }
    }
    return std::nullopt;
}

}  // namespace

const char* specFieldName(SpecField field) {
    switch (field) {
        case SpecField::Tokens: return "tokens";
        case SpecField::TokenTypes: return "tokenTypes";
        case SpecField::Merges: return "merges";
        case SpecField::Scores: return "scores";
        case SpecField::BosId: return "bosId";
        case SpecField::EosId: return "eosId";
        case SpecField::UnkId: return "unkId";
        case SpecField::PadId: return "padId";
    }
    return "?";
}

std::optional<SpecProblem> findSpecProblem(const TokenizerSpec& spec) {
    const std::size_t n = spec.tokens.size();
    if (n == 0) return SpecProblem{SpecField::Tokens, "the vocabulary is empty"};
    if (n > static_cast<std::size_t>(INT32_MAX)) return SpecProblem{SpecField::Tokens, "the vocabulary is too large"};
    if (auto p = lengthProblem(SpecField::TokenTypes, spec.tokenTypes.size(), n)) return p;
    if (auto p = lengthProblem(SpecField::Scores, spec.scores.size(), n)) return p;
    if (auto p = idProblem(SpecField::BosId, spec.bosId, n)) return p;
    if (auto p = idProblem(SpecField::EosId, spec.eosId, n)) return p;
    if (auto p = idProblem(SpecField::UnkId, spec.unkId, n)) return p;
    if (auto p = idProblem(SpecField::PadId, spec.padId, n)) return p;
    return mergeProblem(spec.tokens, spec.merges);
}

}  // namespace avss::tok
