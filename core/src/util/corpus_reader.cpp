// Streaming reader of corpus files (see corpus_reader.h). Error messages are the ones the
// whole-file reader gave: offsets are file offsets, JSONL errors name the line.
#include "util/corpus_reader.h"

#include <cstring>

#include "avss/corpus.h"
#include "avss/error.h"
#include "tokenizer/utf8.h"
#include "util/jsonl_record.h"

namespace avss::corpus {
namespace {

// Bytes at the end of `s` that start a UTF-8 character the block does not finish (0..3).
std::size_t incompleteTail(std::string_view s) {
    for (std::size_t back = 1; back <= 3 && back <= s.size(); ++back) {
        const auto c = static_cast<unsigned char>(s[s.size() - back]);
        if (c < 0x80) return 0;
        if ((c & 0xC0) == 0x80) continue;  // continuation byte: look further back
        const std::size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        return c < 0xF8 && back < need ? back : 0;
    }
    return 0;
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }

}  // namespace

FileReader::FileReader(const std::filesystem::path& path, std::string jsonField) : m_path(path), m_field(std::move(jsonField)) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw IoError(path, "file not found", "Check the path.");
    if (!std::filesystem::is_regular_file(path, ec)) throw IoError(path, "not a regular file");
    m_fileSize = std::filesystem::file_size(path, ec);
    if (ec) throw IoError(path, "cannot read the file size (" + ec.message() + ")");
    m_in.open(path, std::ios::binary);
    if (!m_in) throw IoError(path, "cannot open file for reading");
    const auto ext = path.extension().string();
    bool jsonl = ext == ".jsonl" || ext == ".ndjson";
    if (!jsonl) {  // the first non-blank character decides; only that much is read, then read again
        std::string buf(4096, '\0');
        while (m_in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || m_in.gcount() > 0) {
            const std::string_view got(buf.data(), static_cast<std::size_t>(m_in.gcount()));
            const auto first = got.find_first_not_of(" \t\r\n");
            if (first != std::string_view::npos) {
                jsonl = got[first] == '{';
                break;
            }
        }
        m_in.clear();
        m_in.seekg(0);
        if (!m_in) throw IoError(path, "cannot rewind the file");
    }
    m_format = jsonl ? "jsonl" : "text";
}

void FileReader::checkBytes(std::string_view bytes, std::uint64_t offset) const {
    if (const void* nul = std::memchr(bytes.data(), 0, bytes.size())) {
        const auto at = offset + static_cast<std::uint64_t>(static_cast<const char*>(nul) - bytes.data());
        throw FormatError(m_path, "contains a NUL byte at offset " + std::to_string(at) + "; this looks like a binary file",
                          "Pass a UTF-8 text or JSONL file.");
    }
    if (const auto bad = tok::firstInvalidUtf8(bytes)) {
        throw FormatError(m_path, "is not valid UTF-8 (bad byte at offset " + std::to_string(offset + *bad) + ")",
                          "Convert the file to UTF-8.");
    }
}

bool FileReader::next(TextPiece& piece) { return m_format == "jsonl" ? nextRecord(piece) : nextTextBlock(piece); }

bool FileReader::nextTextBlock(TextPiece& piece) {
    const bool first = !m_started;
    m_started = true;
    m_block = std::move(m_carry);
    m_carry.clear();
    const std::uint64_t blockOffset = m_offset - m_block.size();
    const std::size_t kept = m_block.size();
    m_block.resize(kept + kReadBlockBytes);
    m_in.read(m_block.data() + kept, static_cast<std::streamsize>(kReadBlockBytes));
    const auto got = static_cast<std::size_t>(m_in.gcount());
    if (m_in.bad()) throw IoError(m_path, "read error");
    m_block.resize(kept + got);
    m_offset += got;
    const bool atEnd = got < kReadBlockBytes;
    if (atEnd && m_offset != m_fileSize) throw IoError(m_path, "the file changed while it was read");
    if (!first && m_block.empty()) return false;
    const std::size_t tail = atEnd ? 0 : incompleteTail(m_block);  // at the end an unfinished character is an error
    m_carry.assign(m_block, m_block.size() - tail, tail);
    m_block.resize(m_block.size() - tail);
    checkBytes(m_block, blockOffset);
    piece.text = m_block;
    piece.startsDocument = first;  // plain text is one document: the whole file
    piece.documentSize = first ? m_fileSize : 0;
    return true;
}

bool FileReader::readLine() {
    m_line.clear();
    m_lineOffset = m_offset - (m_block.size() - m_blockPos);
    bool any = false;
    for (;;) {
        if (m_blockPos == m_block.size()) {
            m_block.resize(kReadBlockBytes);
            m_in.read(m_block.data(), static_cast<std::streamsize>(kReadBlockBytes));
            if (m_in.bad()) throw IoError(m_path, "read error");
            m_block.resize(static_cast<std::size_t>(m_in.gcount()));
            m_offset += m_block.size();
            m_blockPos = 0;
            if (m_block.empty()) return any;
        }
        any = true;
        const char* start = m_block.data() + m_blockPos;
        const auto* nl = static_cast<const char*>(std::memchr(start, '\n', m_block.size() - m_blockPos));
        const std::size_t n = nl ? static_cast<std::size_t>(nl - start) : m_block.size() - m_blockPos;
        if (m_line.size() + n > kMaxRecordBytes) {
            throw FormatError(m_path.string() + ":" + std::to_string(m_lineNumber + 1),
                              "line is longer than " + std::to_string(kMaxRecordBytes >> 20) + " MiB, the limit for one JSONL record",
                              "Split the document into several records.");
        }
        m_line.append(start, n);
        m_blockPos += n + (nl ? 1 : 0);
        if (nl) return true;
    }
}

bool FileReader::nextRecord(TextPiece& piece) {
    for (;;) {
        m_document.clear();
        if (!readLine()) {
            if (m_offset != m_fileSize) throw IoError(m_path, "the file changed while it was read");
            return false;
        }
        ++m_lineNumber;
        checkBytes(m_line, m_lineOffset);
        if (blank(m_line)) continue;
        m_document = jsonStringField(m_line, m_field, m_path.string() + ":" + std::to_string(m_lineNumber));
        if (m_line.capacity() > kReadBlockBytes) std::string().swap(m_line);  // a huge line is not kept twice
        piece.text = m_document;
        piece.startsDocument = true;
        piece.documentSize = m_document.size();
        return true;
    }
}

bool forEachJoinedPiece(const Corpus& corpus, const std::function<bool(std::string_view)>& take) {
    static constexpr std::string_view kSeparator = "\n\n";
    if (!corpus.streamed) {
        for (std::size_t i = 0; i < corpus.documents.size(); ++i) {
            if (i && !take(kSeparator)) return false;
            if (!take(corpus.documents[i])) return false;
        }
        return true;
    }
    FileReader reader(corpus.path, corpus.jsonField);
    if (reader.format() != corpus.format) throw IoError(corpus.path, "the file changed since it was opened");
    TextPiece piece;
    for (bool first = true; reader.next(piece); first = false) {
        if (piece.startsDocument && !first && !take(kSeparator)) return false;
        if (!take(piece.text)) return false;
    }
    return true;
}

}  // namespace avss::corpus
