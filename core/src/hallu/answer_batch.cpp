// answerBatch() (see answer_batch.h).
#include "hallu/answer_batch.h"

#include <torch/torch.h>

#include <algorithm>

namespace avss::hallu {

AnswerBatch answerBatch(const std::vector<const ForcedAnswer*>& answers, TokenId pad) {
    std::size_t T = 0;
    for (const auto* a : answers) T = std::max(T, a->tokens.size());
    const auto B = static_cast<std::int64_t>(answers.size()), TT = static_cast<std::int64_t>(T);
    AnswerBatch out{torch::full({B, TT}, static_cast<std::int64_t>(pad), torch::kInt64), torch::zeros({B, TT}, torch::kBool),
                    torch::zeros({B, TT}, torch::kBool)};
    auto tk = out.tokens.accessor<std::int64_t, 2>();
    auto at = out.attend.accessor<bool, 2>();
    auto an = out.answer.accessor<bool, 2>();
    for (std::int64_t i = 0; i < B; ++i) {
        const auto& f = *answers[static_cast<std::size_t>(i)];
        for (std::size_t t = 0; t < f.tokens.size(); ++t) {
            const auto tt = static_cast<std::int64_t>(t);
            tk[i][tt] = f.tokens[t];
            at[i][tt] = true;
            an[i][tt] = static_cast<int>(t) >= f.answerBegin;
        }
    }
    return out;
}

TokenId padToken(const Tokenizer& tokenizer) {
    if (tokenizer.padId() >= 0) return tokenizer.padId();
    return std::max<TokenId>(tokenizer.eosId(), 0);
}

}  // namespace avss::hallu
