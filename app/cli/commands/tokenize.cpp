// avss tokenize MODEL TEXT: token ids and pieces as the model's tokenizer produces them (the
// tokenizer alone is read, so a vocabulary-only GGUF works as well as a model).
#include <iostream>

#include "../commands.h"
#include "../context.h"

namespace avss::cli {
namespace {

int runTokenize(const ParsedArgs& args, Context& ctx) {
    const auto tok = loadTokenizer(ctx.resolveModel(args.positional(0)));  // no weights: vocabulary-only files work
    const auto ids = tok.encode(args.positional(1), !args.has("no-special"), !args.has("no-parse-special"));
    if (args.has("ids")) {
        for (std::size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << ids[i];
        std::cout << "\n";
        return 0;
    }
    std::cout << ids.size() << " tokens\n";
    for (auto id : ids) std::cout << id << "\t" << tok.tokenText(id) << "\t" << tok.decode({id}) << "\n";
    return 0;
}

}  // namespace

CommandSpec tokenizeCommand() {
    CommandSpec c;
    c.name = "tokenize";
    c.summary = "Split TEXT into tokens exactly as the model's tokenizer does (ids, vocabulary pieces, text)";
    c.positionals = {"MODEL", "TEXT"};
    c.requiredPositionals = 2;
    c.options = {{"ids", "", "print only the ids, space-separated", ""},
                 {"no-special", "", "do not add BOS/EOS even if the model's tokenizer would", ""},
                 {"no-parse-special", "", "treat special-token text like <|im_end|> as plain text", ""}};
    c.run = runTokenize;
    return c;
}

}  // namespace avss::cli
