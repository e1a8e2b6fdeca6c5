// avss generate MODEL PROMPT: KV-cache generation, greedy or sampled, streamed to stdout.
#include <iostream>

#include "../commands.h"
#include "../context.h"
#include "avss/generate.h"

namespace avss::cli {
namespace {

int runGenerate(const ParsedArgs& args, Context& ctx) {
    const auto model = ctx.loadModel(args.positional(0), parseDevice(args.get("device")));
    const auto& tok = model->tokenizer();
    GenerateOptions o;
    o.maxNewTokens = static_cast<int>(args.getInt("max-new-tokens", 0, 1 << 20));
    o.temperature = args.getDouble("temperature");
    o.topP = args.getDouble("top-p");
    o.seed = static_cast<std::uint64_t>(args.getInt("seed", 0, (1LL << 62)));
    o.stopAtEos = !args.has("ignore-eos");
    o.skipLayers = args.getIntList("skip-layers");
    const auto prompt = tok.encode(args.positional(1));
    const bool idsOnly = args.has("ids");
    std::vector<TokenId> sofar;
    std::string printed;
    auto stream = [&](TokenId id) {  // print the decoded suffix, so multi-byte characters appear whole
        if (idsOnly) return;
        sofar.push_back(id);
        const auto text = tok.decode(sofar, true);
        if (text.size() > printed.size() && text.compare(0, printed.size(), printed) == 0 &&
            text.find("\xEF\xBF\xBD", printed.size()) == std::string::npos) {
            std::cout << text.substr(printed.size()) << std::flush;
            printed = text;
        }
    };
    if (!idsOnly) std::cout << args.positional(1) << std::flush;
    const auto r = generate(*model, prompt, o, stream, ctx.cancel);
    if (idsOnly) {
        for (std::size_t i = 0; i < r.tokens.size(); ++i) std::cout << (i ? " " : "") << r.tokens[i];
    } else if (r.text.size() > printed.size()) {
        std::cout << r.text.substr(printed.size());
    }
    std::cout << "\n";
    if (!ctx.quiet) {
        std::cerr << r.tokens.size() << " tokens in " << r.seconds << " s ("
                  << (r.seconds > 0 ? static_cast<double>(r.tokens.size()) / r.seconds : 0.0) << " tokens/s)"
                  << (r.stoppedAtEos ? ", stopped at EOS" : "") << "\n";
    }
    return 0;
}

}  // namespace

CommandSpec generateCommand() {
    CommandSpec c;
    c.name = "generate";
    c.summary = "Continue PROMPT with the model (greedy by default; temperature/top-p sampling with a seed)";
    c.description = "The prompt is tokenized as the model's tokenizer does (special-token text such as <|im_start|> is\n"
                    "recognised, so chat-formatted prompts work). Generation stops at EOS unless --ignore-eos.";
    c.positionals = {"MODEL", "PROMPT"};
    c.requiredPositionals = 2;
    c.options = {{"max-new-tokens", "N", "tokens to generate", "64"},
                 {"temperature", "T", "0 = greedy; > 0 samples from softmax(logits / T)", "0"},
                 {"top-p", "P", "nucleus sampling mass", "1"},
                 {"seed", "S", "random seed for sampling", "0"},
                 {"ignore-eos", "", "keep generating after the end-of-sequence token", ""},
                 {"skip-layers", "LIST", "bypass these blocks (what-if pruning), e.g. 3,5,10-12", ""},
                 {"ids", "", "print the generated token ids instead of text", ""},
                 {"device", "DEV", "auto, cpu or cuda", "auto"}};
    c.run = runGenerate;
    return c;
}

}  // namespace avss::cli
