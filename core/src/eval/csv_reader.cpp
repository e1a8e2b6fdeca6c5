// RFC 4180 and plain TSV record splitting (see csv_reader.h).
#include "eval/csv_reader.h"

#include <algorithm>

namespace avss::eval {
namespace {

void dropTrailingCr(std::string& field) {
    if (!field.empty() && field.back() == '\r') field.pop_back();
}

}  // namespace

CsvReader::CsvReader(std::string_view text, char delimiter, bool quoting)
    : m_text(text), m_delimiter(delimiter), m_quoting(quoting) {}

bool CsvReader::next(CsvRecord& record) {
    while (m_pos < m_text.size() && (m_text[m_pos] == '\n' || m_text.compare(m_pos, 2, "\r\n") == 0)) {
        m_pos += m_text[m_pos] == '\n' ? 1 : 2;  // blank lines are not records
        ++m_line;
    }
    if (m_pos >= m_text.size()) return false;
    record.line = m_line;
    record.fields.clear();
    record.problem.clear();
    if (m_quoting) nextQuoted(record);
    else nextPlain(record);
    return true;
}

void CsvReader::push(CsvRecord& record, std::string field) {
    if (record.fields.size() < kMaxCsvFields) {
        record.fields.push_back(std::move(field));
    } else if (record.problem.empty()) {
        record.problem = "more than " + std::to_string(kMaxCsvFields) + " fields";
    }
}

void CsvReader::nextPlain(CsvRecord& record) {
    const auto end = std::min(m_text.find('\n', m_pos), m_text.size());
    std::string_view line = m_text.substr(m_pos, end - m_pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    for (std::size_t start = 0;;) {
        const auto tab = line.find(m_delimiter, start);
        push(record, std::string(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start)));
        if (tab == std::string_view::npos) break;
        start = tab + 1;
    }
    m_pos = end < m_text.size() ? end + 1 : end;
    ++m_line;
}

void CsvReader::skipRestOfLine() {
    const auto end = m_text.find('\n', m_pos);
    m_pos = end == std::string_view::npos ? m_text.size() : end + 1;
    ++m_line;
}

void CsvReader::nextQuoted(CsvRecord& record) {
    std::string field;
    for (;;) {  // one field per pass; the record ends at LF or the end of the text
        if (m_pos < m_text.size() && m_text[m_pos] == '"') {
            const std::int64_t openedOn = m_line;
            ++m_pos;
            for (;;) {
                if (m_pos >= m_text.size()) {
                    push(record, std::move(field));
                    record.problem = "the quoted field opened on line " + std::to_string(openedOn) +
                                     " is never closed (unbalanced quotes)";
                    return;
                }
                const char c = m_text[m_pos++];
                if (c == '"') {
                    if (m_pos < m_text.size() && m_text[m_pos] == '"') {
                        field += '"';
                        ++m_pos;
                        continue;
                    }
                    break;
                }
                if (c == '\n') ++m_line;
                field += c;
            }
            if (m_pos < m_text.size() && m_text[m_pos] == '\r' && m_text.compare(m_pos, 2, "\r\n") == 0) ++m_pos;
            if (m_pos < m_text.size() && m_text[m_pos] != m_delimiter && m_text[m_pos] != '\n') {
                push(record, std::move(field));
                record.problem = "text after the closing quote of field " + std::to_string(record.fields.size());
                skipRestOfLine();
                return;
            }
        } else {
            while (m_pos < m_text.size() && m_text[m_pos] != m_delimiter && m_text[m_pos] != '\n') field += m_text[m_pos++];
            dropTrailingCr(field);
        }
        push(record, std::move(field));
        field.clear();
        if (m_pos >= m_text.size()) return;
        if (m_text[m_pos++] == '\n') {
            ++m_line;
            return;
        }
    }
}

std::optional<std::size_t> findColumn(const CsvRecord& header, std::string_view name) {
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
        const std::string& field = header.fields[i];
        const auto begin = field.find_first_not_of(' ');
        if (begin != std::string::npos && std::string_view(field).substr(begin, field.find_last_not_of(' ') + 1 - begin) == name) {
            return i;
        }
    }
    return std::nullopt;
}

}  // namespace avss::eval
