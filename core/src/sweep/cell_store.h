// The sweep cell store: one small sealed HDF5 file per evaluated cell, named by the cell identity's
// key, in a folder next to the analysis's statistics. The rules are StatsCache's: written
// atomically, a damaged, foreign or newer file is never used and never replaced. Schema:
// docs/cache-schema.md, "Sweep cells".
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "avss/analysis_identity.h"
#include "avss/eval_result.h"

namespace avss::sweep {

constexpr int kCellSchemaVersion = 1;

struct StoredCell {
    std::vector<MetricSummary> metrics;
    std::int64_t items = 0;
    double seconds = 0;
};

struct CellLookup {
    std::optional<StoredCell> cell;  // set when the file holds this identity
    std::string problem;             // why a present file was not used ("" when missing or used)
    bool replaceable = true;         // false: damaged, foreign or newer; never overwritten
};

class CellStore {
public:
    explicit CellStore(std::filesystem::path folder);
    std::filesystem::path fileOf(const AnalysisIdentity& id) const;  // <folder>/<key>.h5
    // Never throws for the file's contents.
    CellLookup find(const AnalysisIdentity& id) const;
    // Creates the folder; IoError naming the file when it cannot write, or when the file there is
    // not replaceable.
    void store(const AnalysisIdentity& id, const StoredCell& cell) const;

private:
    std::filesystem::path m_folder;
};

}  // namespace avss::sweep
