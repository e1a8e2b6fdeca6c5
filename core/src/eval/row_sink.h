// Where the items of a task file go while it is read: the `limit`, the rows looked at, and the rule
// for a malformed row (skipped and recorded, or a FormatError naming file and line when strict).
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <utility>

#include "avss/eval_task.h"

namespace avss::eval {

// A row's position: a line of a line-oriented file, or the n-th record of a JSON array (1-based).
struct RowRef {
    std::int64_t number = 0;
    bool isLine = true;
    std::string label() const;                                   // "line 12" or "record 5"
    std::string where(const std::filesystem::path& file) const;  // "<file>:12" or "<file>: record 5"
};

// Thrown by row parsers for a malformed row; RowSink turns it into a skip or a FormatError.
struct RowProblem : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// More items than any benchmark has: a task's items hold their contexts, so a hostile file of tiny
// rows must not turn into gigabytes of prompts.
constexpr std::size_t kMaxItems = 500'000;

class RowSink {
public:
    RowSink(const TaskSpec& spec, TaskData& data);

    bool full() const;  // `limit` items found: stop reading
    void countRow() { ++m_data.rowsRead; }

    // Counts the row and runs build() (EvalItem()); a RowProblem from it rejects the row.
    template <class Build>
    void take(const RowRef& ref, Build&& build) {
        countRow();
        try {
            add(ref, std::forward<Build>(build)());
        } catch (const RowProblem& problem) {
            reject(ref, problem.what());
        }
    }

    // Appends an item found at `ref`, unless its question is excluded (then only counted). Throws
    // FormatError past kMaxItems (whatever `strict` says).
    void add(const RowRef& ref, EvalItem item);

    // Strict: throws FormatError "<file>: line N: reason"; otherwise records a SkippedRow.
    void reject(const RowRef& ref, const std::string& reason);

    // Notes the excluded items; throws FormatError when no item was found (naming the first skipped
    // row, if any, or the exclusion).
    void finish();

private:
    const TaskSpec& m_spec;
    TaskData& m_data;
    std::unordered_set<std::string> m_excluded;
};

}  // namespace avss::eval
