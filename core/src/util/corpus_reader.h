// Reads the documents of a corpus file as a stream of validated text pieces, with bounded memory:
// one read block for plain text, one record (line) for JSONL. Used both to fingerprint a whole file
// and to feed the streamed tokenizer, which stops early (avss/corpus_tokens.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>

namespace avss {
struct Corpus;
}

namespace avss::corpus {

constexpr std::size_t kReadBlockBytes = std::size_t{1} << 20;   // plain text is read and checked 1 MiB at a time
constexpr std::size_t kMaxRecordBytes = std::size_t{64} << 20;  // one JSONL line (a record) is held whole

struct TextPiece {
    std::string_view text;         // valid UTF-8 without NUL; stays valid until the next call to next()
    bool startsDocument = false;   // the first piece of a document (the only one for JSONL)
    std::uint64_t documentSize = 0;  // the whole document's size in bytes, given with its first piece
};

class FileReader {
public:
    // Opens `path` (IoError: missing, not a regular file, unreadable) and recognises JSONL by the
    // extension .jsonl/.ndjson or a first non-blank character '{'.
    FileReader(const std::filesystem::path& path, std::string jsonField);

    const std::string& format() const { return m_format; }  // "text" or "jsonl"
    std::uint64_t fileSize() const { return m_fileSize; }

    // The next piece of the documents' text, in order; false at the end of the file. Throws
    // FormatError naming the file (and line for JSONL): NUL byte, invalid UTF-8 (file offsets),
    // malformed JSON, missing or non-string field, a JSONL line over kMaxRecordBytes.
    bool next(TextPiece& piece);

private:
    bool nextTextBlock(TextPiece& piece);
    bool nextRecord(TextPiece& piece);
    bool readLine();  // into m_line; false at the end of the file
    void checkBytes(std::string_view bytes, std::uint64_t offset) const;

    std::filesystem::path m_path;
    std::string m_field;
    std::string m_format;
    std::ifstream m_in;
    std::uint64_t m_fileSize = 0;
    std::uint64_t m_offset = 0;  // file offset of the next unread byte
    bool m_started = false;
    std::string m_block;         // text: the current block; JSONL: the read buffer
    std::size_t m_blockPos = 0;  // JSONL: first unconsumed byte of m_block
    std::string m_carry;         // text: an incomplete UTF-8 character at the end of the last block
    std::string m_line;          // JSONL: the current line
    std::uint64_t m_lineOffset = 0;
    std::int64_t m_lineNumber = 0;
    std::string m_document;      // JSONL: the current record's text
};

// Hands the corpus's joined text (documents separated by a blank line) to `take` piece by piece until
// it returns false; true when everything was read. A streamed corpus is read from its file again.
bool forEachJoinedPiece(const Corpus& corpus, const std::function<bool(std::string_view)>& take);

}  // namespace avss::corpus
