// avss generate MODEL PROMPT: KV-cache generation, greedy or sampled, streamed to stdout; or
// avss generate MODEL --prompts-file FILE: many prompts in left-padded batches, one JSON line each.
#include <algorithm>
#include <iostream>
#include <sstream>

#include "../commands.h"
#include "../context.h"
#include "avss/corpus.h"
#include "avss/error.h"
#include "avss/generate.h"

namespace avss::cli {
namespace {

// --stop's value with the escapes \n, \r, \t and \\ turned into the characters they name (a
// backslash before anything else stays as it is).
std::string unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        switch (s[i + 1]) {
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case '\\': out += '\\'; break;
            default: out += s[i]; continue;  // keep the backslash; the next character is read as usual
        }
        ++i;
    }
    return out;
}

std::string jsonString(const std::string& s) {  // s is UTF-8 (decode() and the corpus checks ensure it)
    std::string out = "\"";
    for (const char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    static const char* hex = "0123456789abcdef";
                    out += "\\u00";
                    out += hex[(c >> 4) & 0xF];
                    out += hex[c & 0xF];
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

bool blank(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; });
}

// Prompts of --prompts-file: JSONL (a "prompt" field per record) or one prompt per non-blank line.
std::vector<std::string> readPrompts(const std::string& file) {
    const auto corpus = loadCorpus(file, CorpusOptions{"prompt"});  // IoError / FormatError naming the file
    std::vector<std::string> prompts;
    if (corpus.format == "jsonl") {
        prompts = corpus.documents;
        for (std::size_t i = 0; i < prompts.size(); ++i) {
            if (prompts[i].empty()) throw FormatError(file, "prompt " + std::to_string(i) + " (0-based) is empty");
        }
        return prompts;
    }
    for (const auto& doc : corpus.documents) {
        std::istringstream lines(doc);
        std::string line;
        while (std::getline(lines, line)) {
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (!blank(line)) prompts.push_back(line);
        }
    }
    if (prompts.empty()) throw FormatError(file, "contains no prompt (only blank lines)");
    return prompts;
}

int runBatch(const ParsedArgs& args, Context& ctx, const GenerateOptions& o) {
    const auto file = args.get("prompts-file");
    const auto texts = readPrompts(file);  // before the model loads: a bad file fails fast
    const auto model = ctx.loadModel(args);
    const auto& tok = model->tokenizer();
    std::vector<std::vector<TokenId>> prompts;
    prompts.reserve(texts.size());
    for (const auto& t : texts) prompts.push_back(tok.encode(t));
    const auto results = generateBatch(*model, prompts, o, {}, ctx.cancel);
    std::size_t total = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        total += r.tokens.size();
        std::string ids;
        for (std::size_t k = 0; k < r.tokens.size(); ++k) ids += (k ? "," : "") + std::to_string(r.tokens[k]);
        std::cout << "{\"index\": " << i << ", \"prompt\": " << jsonString(texts[i]) << ", \"text\": " << jsonString(r.text)
                  << ", \"tokens\": [" << ids << "], \"stop_reason\": \"" << stopReasonName(r.stopReason) << "\"}\n";
    }
    std::cout << std::flush;
    if (!ctx.quiet) {
        const double s = results.empty() ? 0.0 : results.front().seconds;
        std::cerr << results.size() << " prompts, " << total << " new tokens in " << s << " s ("
                  << (s > 0 ? static_cast<double>(total) / s : 0.0) << " tokens/s)\n";
    }
    return 0;
}

int runGenerate(const ParsedArgs& args, Context& ctx) {
    GenerateOptions o;
    o.maxNewTokens = static_cast<int>(args.getInt("max-new-tokens", 0, 1 << 20));
    o.temperature = args.getDouble("temperature");
    o.topP = args.getDouble("top-p");
    o.seed = static_cast<std::uint64_t>(args.getInt("seed", 0, (1LL << 62)));
    o.stopAtEos = !args.has("ignore-eos");
    o.skipLayers = args.getIntList("skip-layers");
    o.maxBatch = static_cast<int>(args.getInt("batch", 1, 4096));
    if (args.has("stop")) {
        o.stopStrings = {unescape(args.get("stop"))};
        if (o.stopStrings[0].empty()) throw UsageError({}, "--stop needs a non-empty string");
    }
    if (args.has("prompts-file")) {
        if (args.positionalCount() > 1) {
            throw UsageError({}, "give either PROMPT or --prompts-file, not both", "See 'avss generate --help'.");
        }
        return runBatch(args, ctx, o);
    }
    if (args.positionalCount() < 2) throw UsageError({}, "'avss generate' needs PROMPT (or --prompts-file FILE)", "See 'avss generate --help'.");

    const auto model = ctx.loadModel(args);
    const auto& tok = model->tokenizer();
    const auto prompt = tok.encode(args.positional(1));
    const bool idsOnly = args.has("ids");
    const std::size_t holdBack = o.stopStrings.empty() ? 0 : o.stopStrings[0].size() - 1;  // a stop string may be starting
    std::vector<TokenId> sofar;
    std::string printed;
    auto stream = [&](TokenId id) {  // print the decoded suffix, so multi-byte characters appear whole
        if (idsOnly) return;
        sofar.push_back(id);
        const auto text = tok.decode(sofar, true);
        auto safe = std::min(text.size() - std::min(text.size(), holdBack), findStopString(text, o.stopStrings));  // never print a stop string
        while (safe > 0 && safe < text.size() && (static_cast<unsigned char>(text[safe]) & 0xC0) == 0x80) --safe;  // whole characters
        if (safe > printed.size() && text.compare(0, printed.size(), printed) == 0 &&
            text.find("\xEF\xBF\xBD", printed.size()) >= safe) {
            std::cout << text.substr(printed.size(), safe - printed.size()) << std::flush;
            printed = text.substr(0, safe);
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
                  << (r.stoppedAtEos ? ", stopped at EOS" : "") << (r.stoppedAtString ? ", stopped at the stop string" : "") << "\n";
    }
    return 0;
}

}  // namespace

CommandSpec generateCommand() {
    CommandSpec c;
    c.name = "generate";
    c.summary = "Continue PROMPT with the model (greedy by default; temperature/top-p sampling with a seed)";
    c.description =
        "The prompt is tokenized as the model's tokenizer does (special-token text such as <|im_start|> is\n"
        "recognised, so chat-formatted prompts work). Generation stops at EOS unless --ignore-eos.\n"
        "\n"
        "--prompts-file FILE runs many prompts at once instead of PROMPT: left-padded batches of up to\n"
        "--batch prompts, finished prompts dropped from the batch. FILE holds one prompt per line (blank\n"
        "lines skipped), or is JSONL with a \"prompt\" string per record when it ends in .jsonl/.ndjson or\n"
        "starts with '{' (for prompts that span lines). stdout gets one JSON line per prompt, in file order:\n"
        "  {\"index\": 0, \"prompt\": \"...\", \"text\": \"...\", \"tokens\": [ids], \"stop_reason\": \"eos|stop_string|length\"}\n"
        "and stderr a summary: N prompts, M new tokens in S s (R tokens/s). With --temperature > 0,\n"
        "prompt i (0-based) samples with seed S + i, whatever the batch.\n"
        "\n"
        "--stop STR ends a sequence as soon as its generated text contains STR; the text is cut before it\n"
        "(lm-evaluation-harness 'until'). \\n, \\t, \\r and \\\\ in STR stand for newline, tab, CR and a\n"
        "backslash. One stop string: given twice, the last --stop counts.";
    c.positionals = {"MODEL", "PROMPT"};
    c.requiredPositionals = 1;
    c.options = {{"max-new-tokens", "N", "tokens to generate", "64"},
                 {"temperature", "T", "0 = greedy; > 0 samples from softmax(logits / T)", "0"},
                 {"top-p", "P", "nucleus sampling mass", "1"},
                 {"seed", "S", "random seed for sampling", "0"},
                 {"ignore-eos", "", "keep generating after the end-of-sequence token", ""},
                 {"stop", "STR", "stop when the generated text contains STR (cut before it; \\n = newline)", ""},
                 {"skip-layers", "LIST", "bypass these blocks (what-if pruning), e.g. 3,5,10-12", ""},
                 {"ids", "", "print the generated token ids instead of text (single PROMPT)", ""},
                 {"prompts-file", "FILE", "generate for every prompt in FILE (one per line, or JSONL \"prompt\"), JSON lines out", ""},
                 {"batch", "N", "prompts run together at most with --prompts-file", "32"}};
    for (auto& o : modelOptions()) c.options.push_back(o);
    c.run = runGenerate;
    return c;
}

}  // namespace avss::cli
