// Records of a delimited text file held in memory: RFC 4180 CSV (quoted fields with "" escapes and
// embedded newlines) or plain TSV (one line = one record, no quote processing, as GLUE and WikiQA
// files need: their sentences contain bare quotes). Each record knows the line it starts on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avss::eval {

constexpr std::size_t kMaxCsvFields = 1024;  // more is a broken or hostile file, never a task's table

struct CsvRecord {
    std::int64_t line = 0;             // 1-based line where the record starts
    std::vector<std::string> fields;
    std::string problem;               // non-empty: the record is malformed and `fields` incomplete
};

class CsvReader {
public:
    // `text` must outlive the reader. quoting = false: fields are split on the delimiter only.
    CsvReader(std::string_view text, char delimiter, bool quoting);

    // The next record; false at the end. Blank lines (outside quotes) are passed over; a CR before a
    // record's LF is dropped. Malformed (a record with `problem` set): a quoted field never closed
    // (it runs to the end of the text, so it is the last record), text after a closing quote
    // (the rest of that line is passed over), or more than kMaxCsvFields fields (the rest dropped).
    bool next(CsvRecord& record);

private:
    void nextPlain(CsvRecord& record);
    void nextQuoted(CsvRecord& record);
    void skipRestOfLine();
    static void push(CsvRecord& record, std::string field);

    std::string_view m_text;
    std::size_t m_pos = 0;
    std::int64_t m_line = 1;
    char m_delimiter;
    bool m_quoting;
};

// The index of the header field equal to `name` (after stripping surrounding spaces), if any.
std::optional<std::size_t> findColumn(const CsvRecord& header, std::string_view name);

}  // namespace avss::eval
