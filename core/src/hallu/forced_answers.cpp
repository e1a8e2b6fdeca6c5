// forceAnswers() (see forced_answers.h).
#include "hallu/forced_answers.h"

#include <algorithm>

#include "avss/error.h"

namespace avss::hallu {

ForcedPairs forceAnswers(const Tokenizer& tok, const std::vector<AnswerPair>& pairs, bool lengthMatch, int contextLength) {
    ForcedPairs out;
    out.truthful.reserve(pairs.size());
    out.hallucinated.reserve(pairs.size());
    for (const auto& pair : pairs) {
        const auto contextTokens = tok.encode(pair.context, /*addSpecial=*/true, /*parseSpecial=*/false);
        const auto otherContext = pair.hallucinatedContext.empty() ? contextTokens : tok.encode(pair.hallucinatedContext, true, false);
        auto t = tok.encode(" " + pair.truthful, false, false);
        auto h = tok.encode(" " + pair.hallucinated, false, false);
        if (lengthMatch) {
            const auto n = std::min(t.size(), h.size());
            t.resize(n);
            h.resize(n);
        }
        bool cut = false;
        for (const bool truthful : {true, false}) {
            const auto& answer = truthful ? t : h;
            const auto& context = truthful ? contextTokens : otherContext;
            if (static_cast<int>(answer.size()) >= contextLength) {
                throw UsageError({}, pair.source + ": the " + (truthful ? "truthful" : "hallucinated") + " answer has " +
                                         std::to_string(answer.size()) + " tokens; the model's context holds " +
                                         std::to_string(contextLength) + " with the question");
            }
            const auto keep = std::min(context.size(), static_cast<std::size_t>(contextLength) - answer.size());
            cut = cut || keep < context.size();
            ForcedAnswer f;
            f.tokens.assign(context.end() - static_cast<std::ptrdiff_t>(keep), context.end());  // the rightmost context tokens, as lm-eval keeps
            f.answerBegin = static_cast<int>(f.tokens.size());
            f.tokens.insert(f.tokens.end(), answer.begin(), answer.end());
            (truthful ? out.truthful : out.hallucinated).push_back(std::move(f));
        }
        out.contextsCut += cut ? 1 : 0;
    }
    return out;
}

}  // namespace avss::hallu
