// Loading and validating text inputs (see avss/corpus.h).
#include "avss/corpus.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string_view>

#include "avss/error.h"
#include "util/sha256.h"
#include "tokenizer/utf8.h"

namespace avss::resources {
extern const std::string_view kSampleText;
}

namespace avss {
namespace {

constexpr std::uint64_t kMaxFileBytes = 2ull << 30;  // 2 GiB: larger inputs are a mistake, not a corpus

std::string readFile(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw IoError(path, "file not found", "Check the path.");
    if (!std::filesystem::is_regular_file(path, ec)) throw IoError(path, "not a regular file");
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw IoError(path, "cannot read the file size (" + ec.message() + ")");
    if (size > kMaxFileBytes) throw FormatError(path, "file is " + std::to_string(size) + " bytes, larger than the 2 GiB limit for text input");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError(path, "cannot open file for reading");
    std::string data(static_cast<std::size_t>(size), '\0');
    in.read(data.data(), static_cast<std::streamsize>(size));
    if (static_cast<std::uint64_t>(in.gcount()) != size) throw IoError(path, "short read");
    return data;
}

void checkText(const std::filesystem::path& path, const std::string& text, const std::string& where) {
    if (const auto nul = text.find('\0'); nul != std::string::npos) {
        throw FormatError(path, where + "contains a NUL byte at offset " + std::to_string(nul) + "; this looks like a binary file",
                          "Pass a UTF-8 text or JSONL file.");
    }
    if (const auto bad = tok::firstInvalidUtf8(text)) {
        throw FormatError(path, where + "is not valid UTF-8 (bad byte at offset " + std::to_string(*bad) + ")",
                          "Convert the file to UTF-8.");
    }
}

bool looksLikeJsonl(const std::filesystem::path& path, const std::string& data) {
    const auto ext = path.extension().string();
    if (ext == ".jsonl" || ext == ".ndjson") return true;
    const auto first = data.find_first_not_of(" \t\r\n");
    return first != std::string::npos && data[first] == '{';
}

std::vector<std::string> parseJsonl(const std::filesystem::path& path, const std::string& data, const std::string& field) {
    std::vector<std::string> docs;
    std::istringstream lines(data);
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const std::string where = path.string() + ":" + std::to_string(number);
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error& e) {
            throw FormatError(where, std::string("malformed JSON (") + e.what() + ")");
        }
        if (!j.is_object() || !j.contains(field)) throw FormatError(where, "field '" + field + "' is missing");
        if (!j[field].is_string()) throw FormatError(where, "field '" + field + "' is not a string");
        docs.push_back(j[field].get<std::string>());
    }
    return docs;
}

}  // namespace

const std::string& builtinSampleText() {
    static const std::string text(resources::kSampleText);
    return text;
}

std::string Corpus::joined() const {
    std::string out;
    for (std::size_t i = 0; i < documents.size(); ++i) {
        if (i) out += "\n\n";
        out += documents[i];
    }
    return out;
}

Corpus loadCorpus(const std::string& source, const CorpusOptions& options) {
    Corpus c;
    if (source == "builtin") {
        c.name = "builtin:sample";
        c.format = "builtin";
        c.documents = {builtinSampleText()};
    } else {
        c.path = source;
        c.name = source;
        const auto data = readFile(c.path);
        checkText(c.path, data, "");
        if (looksLikeJsonl(c.path, data)) {
            c.format = "jsonl";
            c.documents = parseJsonl(c.path, data, options.jsonField);
        } else {
            c.format = "text";
            c.documents = {data};
        }
    }
    bool anyText = false;
    for (const auto& d : c.documents) anyText = anyText || d.find_first_not_of(" \t\r\n") != std::string::npos;
    if (!anyText) throw FormatError(c.path, "contains no text", "Pass a file with some text in it.");
    util::Sha256 h;
    const std::string head = c.format + "\n" + (c.format == "jsonl" ? options.jsonField : "") + "\n";
    h.update(head.data(), head.size());
    for (const auto& d : c.documents) {
        const std::uint64_t n = d.size();
        h.update(&n, sizeof n);
        h.update(d.data(), d.size());
    }
    c.fingerprint = h.finishHex();
    return c;
}

}  // namespace avss
