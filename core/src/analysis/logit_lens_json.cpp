// logitLensJson: the lens as the `avss lens --out` document (docs/explorer.md, "Logit lens").
#include <nlohmann/json.hpp>

#include "avss/logit_lens.h"
#include "util/atomic_file.h"
#include "util/json_number.h"

namespace avss {

std::string logitLensJson(const LogitLens& lens, const Tokenizer& tokenizer) {
    using Json = nlohmann::ordered_json;
    const auto text = [&](TokenId id) { return id < 0 ? Json(nullptr) : Json(tokenizer.decode({id})); };
    Json doc;
    doc["format"] = "avss-logit-lens";
    doc["schema_version"] = 1;
    Json tokens = Json::array();
    for (std::size_t p = 0; p < lens.tokens.size(); ++p) {
        tokens.push_back({{"id", lens.tokens[p]}, {"text", text(lens.tokens[p])}, {"target", lens.targets[p]},
                          {"target_text", text(lens.targets[p])}, {"prediction", lens.prediction[p]},
                          {"prediction_text", text(lens.prediction[p])}});
    }
    doc["tokens"] = std::move(tokens);
    Json rows = Json::array();
    for (const auto& row : lens.rows) {
        Json positions = Json::array();
        for (const auto& c : row.positions) {
            Json top = Json::array();
            for (std::size_t k = 0; k < c.top.size(); ++k) top.push_back({{"id", c.top[k]}, {"text", text(c.top[k])}, {"p", c.topProb[k]}});
            positions.push_back({{"top", std::move(top)},
                                 {"target_p", util::finiteOrNull<Json>(c.targetProb)},
                                 {"target_rank", c.targetRank < 0 ? Json(nullptr) : Json(c.targetRank)}});
        }
        rows.push_back({{"layer", row.layer < 0 ? Json("embeddings") : Json(row.layer)}, {"skipped", row.skipped},
                        {"positions", std::move(positions)}});
    }
    doc["rows"] = std::move(rows);
    if (!lens.attention.empty()) {  // per block: [head][query][key], null for a skipped block
        const auto T = lens.tokens.size();
        Json layers = Json::array();
        for (const auto& a : lens.attention) {
            if (a.empty()) {
                layers.push_back(nullptr);
                continue;
            }
            Json heads = Json::array();
            for (int h = 0; h < lens.heads; ++h) {
                Json queries = Json::array();
                for (std::size_t q = 0; q < T; ++q) {
                    const auto* row = a.data() + (static_cast<std::size_t>(h) * T + q) * T;
                    queries.push_back(Json(std::vector<float>(row, row + q + 1)));  // keys after the query are 0
                }
                heads.push_back(std::move(queries));
            }
            layers.push_back(std::move(heads));
        }
        doc["attention"] = std::move(layers);
    }
    return doc.dump(2, ' ', false, Json::error_handler_t::replace);
}

void writeLogitLens(const std::filesystem::path& file, const LogitLens& lens, const Tokenizer& tokenizer) {
    util::writeFileAtomically(file, logitLensJson(lens, tokenizer) + "\n");
}

}  // namespace avss
