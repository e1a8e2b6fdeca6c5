// Loading, checking and fingerprinting text inputs (see avss/corpus.h). Files are read through
// corpus::FileReader, so loadCorpus and openCorpus check and fingerprint them identically.
#include "avss/corpus.h"

#include <functional>
#include <string_view>

#include "avss/error.h"
#include "util/corpus_reader.h"
#include "util/sha256.h"

namespace avss::resources {
extern const std::string_view kSampleText;
}

namespace avss {
namespace {

constexpr std::uint64_t kMaxLoadBytes = 2ull << 30;  // loadCorpus holds the text: larger inputs are a mistake

// SHA-256 over format, field and each document's length and bytes (the cache key of the data).
class Fingerprint {
public:
    Fingerprint(const std::string& format, const std::string& field) {
        const std::string head = format + "\n" + (format == "jsonl" ? field : "") + "\n";
        m_sha.update(head.data(), head.size());
    }
    void add(const corpus::TextPiece& piece) {
        if (piece.startsDocument) m_sha.update(&piece.documentSize, sizeof piece.documentSize);
        m_sha.update(piece.text.data(), piece.text.size());
        m_anyText = m_anyText || piece.text.find_first_not_of(" \t\r\n") != std::string_view::npos;
    }
    bool anyText() const { return m_anyText; }
    std::string hex() { return m_sha.finishHex(); }

private:
    util::Sha256 m_sha;
    bool m_anyText = false;
};

// Reads the whole file once, piece by piece: checks it, fingerprints it, hands each piece to `keep`.
Corpus readFile(const std::string& source, const CorpusOptions& options, const std::function<void(const corpus::TextPiece&)>& keep) {
    Corpus c;
    c.path = source;
    c.name = source;
    c.jsonField = options.jsonField;
    corpus::FileReader reader(c.path, options.jsonField);
    c.format = reader.format();
    Fingerprint fp(c.format, options.jsonField);
    corpus::TextPiece piece;
    while (reader.next(piece)) {
        fp.add(piece);
        if (keep) keep(piece);
    }
    if (!fp.anyText()) throw FormatError(c.path, "contains no text", "Pass a file with some text in it.");
    c.fingerprint = fp.hex();
    return c;
}

}  // namespace

const std::string& builtinSampleText() {
    static const std::string text(resources::kSampleText);
    return text;
}

std::string Corpus::joined() const {
    std::string out;
    corpus::forEachJoinedPiece(*this, [&out](std::string_view text) {
        out += text;
        return true;
    });
    return out;
}

Corpus loadCorpus(const std::string& source, const CorpusOptions& options) {
    if (source == "builtin") {
        Corpus c;
        c.name = "builtin:sample";
        c.format = "builtin";
        c.documents = {builtinSampleText()};
        Fingerprint fp(c.format, options.jsonField);
        fp.add({c.documents[0], true, c.documents[0].size()});
        c.fingerprint = fp.hex();
        return c;
    }
    std::error_code ec;
    const auto size = std::filesystem::is_regular_file(source, ec) ? std::filesystem::file_size(source, ec) : 0;
    if (!ec && size > kMaxLoadBytes) {
        throw FormatError(source, "file is " + std::to_string(size) + " bytes, larger than the 2 GiB limit for text input",
                          "Use a smaller file.");
    }
    std::vector<std::string> documents;
    auto c = readFile(source, options, [&](const corpus::TextPiece& piece) {
        if (piece.startsDocument) documents.emplace_back().reserve(piece.documentSize);
        documents.back().append(piece.text);
    });
    c.documents = std::move(documents);
    return c;
}

Corpus openCorpus(const std::string& source, const CorpusOptions& options) {
    if (source == "builtin") return loadCorpus(source, options);
    auto c = readFile(source, options, {});
    c.streamed = true;
    return c;
}

}  // namespace avss
