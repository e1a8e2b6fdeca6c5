// Skip-or-throw bookkeeping of malformed rows (see row_sink.h).
#include "eval/row_sink.h"

#include "avss/error.h"

namespace avss::eval {

std::string RowRef::label() const { return (isLine ? "line " : "record ") + std::to_string(number); }

std::string RowRef::where(const std::filesystem::path& file) const {
    return file.string() + (isLine ? ":" : ": record ") + std::to_string(number);
}

RowSink::RowSink(const TaskSpec& spec, TaskData& data) : m_spec(spec), m_data(data) {
    for (const auto& q : spec.excludedQuestions) m_excluded.insert(questionKey(q));
}

bool RowSink::full() const {
    return m_spec.limit > 0 && static_cast<std::int64_t>(m_data.items.size()) >= m_spec.limit;
}

void RowSink::add(const RowRef& ref, EvalItem item) {
    if (m_data.items.size() >= kMaxItems) {
        throw FormatError(m_data.file, ref.label() + ": more than " + std::to_string(kMaxItems) + " items",
                          "Split the file or evaluate the first items only.");
    }
    if (!m_excluded.empty() && !item.question.empty() && m_excluded.count(questionKey(item.question)) > 0) {
        ++m_data.excluded;
        return;
    }
    item.source = ref.where(m_data.file);
    m_data.items.push_back(std::move(item));
}

void RowSink::reject(const RowRef& ref, const std::string& reason) {
    if (m_spec.strict) throw FormatError(m_data.file, ref.label() + ": " + reason);
    m_data.skipped.push_back(SkippedRow{ref.where(m_data.file), reason});
}

void RowSink::finish() {
    if (m_data.excluded > 0) {
        m_data.notes.push_back(std::to_string(m_data.excluded) + " items left out: their question is among the excluded (training) questions");
    }
    if (!m_data.items.empty()) return;
    std::string what = "no usable " + m_data.task + " item in " + std::to_string(m_data.rowsRead) + " rows";
    if (m_data.excluded > 0) what += " (" + std::to_string(m_data.excluded) + " left out as excluded questions)";
    if (!m_data.skipped.empty()) {
        const auto& first = m_data.skipped.front();
        what += " (" + std::to_string(m_data.skipped.size()) + " skipped; the first, " + first.where + ": " + first.reason + ")";
    }
    throw FormatError(m_data.file, what);
}

}  // namespace avss::eval
