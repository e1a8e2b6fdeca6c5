// avss lens MODEL TEXT: the logit lens (avss/logit_lens.h). Prints the top token every layer would
// predict at each position, then, for one position, every layer's top-k and the target's
// probability and rank; --out writes the whole lens as JSON.
#include <iomanip>
#include <iostream>

#include "../commands.h"
#include "../context.h"
#include "../number_text.h"
#include "avss/error.h"
#include "avss/logit_lens.h"

namespace avss::cli {
namespace {

constexpr std::size_t kCellWidth = 10;
constexpr std::size_t kColumns = 8;  // positions in the overview: the last ones

// A token's text on one line, shortened to the cell: control characters escaped.
std::string shown(const Tokenizer& tok, TokenId id, std::size_t width = kCellWidth - 1) {
    std::string out;
    for (const char c : tok.decode({id})) {
        if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else out += c;
    }
    return "'" + (out.size() > width - 2 ? out.substr(0, width - 3) + "~" : out) + "'";
}

std::string rowName(const LensRow& row) { return row.layer < 0 ? std::string("emb") : std::to_string(row.layer); }

void printOverview(const LogitLens& lens, const Tokenizer& tok) {
    const std::size_t n = lens.tokens.size(), first = n > kColumns ? n - kColumns : 0;
    std::cout << "top-1 next token after each layer (rows) at each position (columns)\n" << std::left << std::setw(8) << "";
    for (std::size_t p = first; p < n; ++p) std::cout << std::setw(kCellWidth) << shown(tok, lens.tokens[p]);
    std::cout << "\n";
    for (const auto& row : lens.rows) {
        std::cout << std::setw(8) << rowName(row);
        for (std::size_t p = first; p < n; ++p) std::cout << std::setw(kCellWidth) << (row.skipped ? std::string("(skipped)") : shown(tok, row.positions[p].top[0]));
        std::cout << "\n";
    }
    std::cout << std::setw(8) << "model";
    for (std::size_t p = first; p < n; ++p) std::cout << std::setw(kCellWidth) << shown(tok, lens.prediction[p]);
    std::cout << std::right << "\n";
}

void printPosition(const LogitLens& lens, const Tokenizer& tok, std::size_t p) {
    const auto target = lens.targets[p];
    std::cout << "\nposition " << p << " (after " << shown(tok, lens.tokens[p], 40) << ")"
              << (target >= 0 ? ", target " + shown(tok, target, 40) : std::string(", no target")) << "\n";
    std::cout << std::left << std::setw(8) << "layer" << std::setw(14) << "target p" << std::setw(8) << "rank" << "top tokens\n";
    for (const auto& row : lens.rows) {
        std::cout << std::setw(8) << rowName(row);
        if (row.skipped) {
            std::cout << "(skipped)\n";
            continue;
        }
        const auto& c = row.positions[p];
        std::cout << std::setw(14) << (target >= 0 ? fixed(c.targetProb, 6) : std::string("-")) << std::setw(8)
                  << (target >= 0 ? std::to_string(c.targetRank) : std::string("-"));
        for (std::size_t k = 0; k < c.top.size(); ++k) std::cout << shown(tok, c.top[k], 16) << " " << fixed(c.topProb[k], 3) << "  ";
        std::cout << "\n";
    }
    std::cout << std::right;
}

int runLens(const ParsedArgs& args, Context& ctx) {
    const auto model = ctx.loadModel(args);
    const auto& tok = model->tokenizer();
    const auto tokens = tok.encode(args.positional(1), !args.has("no-special"));
    if (tokens.empty()) throw UsageError({}, "the prompt gives no tokens");
    const auto position = args.has("position") ? static_cast<std::size_t>(args.getInt("position", 0, static_cast<std::int64_t>(tokens.size()) - 1))
                                               : tokens.size() - 1;
    LensOptions o;
    o.topK = static_cast<int>(args.getInt("top", 1, 100));
    o.skipLayers = args.getIntList("skip-layers");
    o.attention = args.has("attention");
    if (args.has("target")) {
        const auto target = tok.encode(args.get("target"), false);
        if (target.empty()) throw UsageError({}, "--target gives no token");
        o.targets.assign(tokens.begin() + 1, tokens.end());
        o.targets.push_back(-1);
        o.targets[position] = target.front();  // the first token of the target text, at the chosen position
        if (target.size() > 1) std::cerr << "note: --target is " << target.size() << " tokens; the lens follows the first, " << shown(tok, target.front(), 40) << "\n";
    }
    const auto lens = logitLens(*model, tokens, o);
    printOverview(lens, tok);
    printPosition(lens, tok, position);
    if (args.has("out")) {
        writeLogitLens(args.get("out"), lens, tok);
        std::cerr << "wrote " << args.get("out") << "\n";
    }
    return 0;
}

}  // namespace

CommandSpec lensCommand() {
    CommandSpec c;
    c.name = "lens";
    c.summary = "Logit lens: what the model would predict after each layer, for every position of TEXT";
    c.description =
        "Each block's output (and the embeddings) goes through the final norm and the LM head. The overview shows\n"
        "every layer's top token at the last positions; the detail shows, at --position (default: the last),\n"
        "every layer's top-k and the probability and rank of the target: the next prompt token, or --target.\n"
        "--skip-layers bypasses blocks, to see what removing them changes.";
    c.positionals = {"MODEL", "TEXT"};
    c.requiredPositionals = 2;
    c.options = {{"top", "K", "top tokens per layer in the detail", "5"},
                 {"position", "N", "prompt position of the detail (0-based; default: the last)", ""},
                 {"target", "TEXT", "token whose probability the detail follows at --position (its first token)", ""},
                 {"skip-layers", "LIST", "bypass these blocks, e.g. 3,5,10-12", ""},
                 {"no-special", "", "do not add BOS even if the model's tokenizer would", ""},
                 {"attention", "", "with --out: add every block's attention weights [head][query][key] from the same pass", ""},
                 {"out", "FILE", "write the whole lens as JSON", ""}};
    for (auto& o : modelOptions()) c.options.push_back(o);
    c.run = runLens;
    return c;
}

}  // namespace avss::cli
