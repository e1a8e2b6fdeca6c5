// CellStore: the lookup policy and the atomic, sealed write of one sweep cell.
#include "sweep/cell_store.h"

#include "avss/error.h"
#include "cache/cache_seal.h"
#include "cache/h5_file.h"
#include "util/atomic_file.h"

namespace avss::sweep {
namespace {

constexpr const char* kFormat = "avss-eval-cell";

std::string metricGroup(std::size_t i) { return "/metric_" + std::to_string(i); }

StoredCell readCell(const cache::H5Reader& r) {
    StoredCell cell;
    cell.items = r.intAttribute("/", "items");
    cell.seconds = r.doubleAttribute("/", "seconds");
    const auto count = r.intAttribute("/", "metric_count");
    if (count < 1 || count > 64) throw FormatError({}, "metric_count " + std::to_string(count) + " is out of range");
    for (std::int64_t i = 0; i < count; ++i) {
        const auto g = metricGroup(static_cast<std::size_t>(i));
        MetricSummary m;
        m.name = r.stringAttribute(g, "name");
        m.value = r.doubleAttribute(g, "value");
        m.floor = r.doubleAttribute(g, "floor");
        m.ci.low = r.doubleAttribute(g, "ci_low");
        m.ci.high = r.doubleAttribute(g, "ci_high");
        m.stderrMean = r.doubleAttribute(g, "stderr");
        m.higherIsBetter = r.intAttribute(g, "higher_is_better") != 0;
        cell.metrics.push_back(std::move(m));
    }
    return cell;
}

}  // namespace

CellStore::CellStore(std::filesystem::path folder) : m_folder(std::move(folder)) {}

std::filesystem::path CellStore::fileOf(const AnalysisIdentity& id) const { return m_folder / (id.key() + ".h5"); }

CellLookup CellStore::find(const AnalysisIdentity& id) const {
    const auto path = fileOf(id);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return {};
    cache::H5Lock lock;
    try {
        // HDF5 parses only files whose checksum matches: the library is not hardened against damage.
        const auto seal = cache::checkSeal(path);
        if (seal.state != cache::SealState::Sealed) {
            const auto why = seal.state == cache::SealState::Broken ? seal.reason : "not a sealed AVSS sweep cell";
            return {std::nullopt, path.string() + ": " + why + "; neither used nor replaced (delete it to recompute)", false};
        }
        const cache::H5Reader r(path);
        if (!r.hasAttribute("/", "format") || r.stringAttribute("/", "format") != kFormat) {
            return {std::nullopt, path.string() + ": not an AVSS sweep cell; neither used nor replaced", false};
        }
        const auto version = r.intAttribute("/", "schema_version");
        if (version > kCellSchemaVersion) {
            return {std::nullopt, path.string() + ": written with cell schema " + std::to_string(version) +
                                      " by a newer AVSS Explorer; neither used nor replaced", false};
        }
        const auto identity = r.stringAttribute("/", "identity");
        if (version < kCellSchemaVersion || identity != id.canonicalText()) {
            return {std::nullopt, path.string() + ": another cell under the same name; evaluated again and replaced", true};
        }
        return {readCell(r), {}, true};
    } catch (const Error& e) {
        return {std::nullopt, std::string(e.what()) + "; neither used nor replaced", false};
    }
}

void CellStore::store(const AnalysisIdentity& id, const StoredCell& cell) const {
    const auto path = fileOf(id);
    const auto existing = find(id);
    if (!existing.replaceable) throw IoError({}, "refusing to replace " + existing.problem);
    std::error_code ec;
    std::filesystem::create_directories(m_folder, ec);
    if (ec) throw IoError(m_folder, "cannot create the sweep cell folder: " + ec.message());
    cache::H5Lock lock;
    util::AtomicFile file(path, /*openStream=*/false);  // HDF5 writes the temporary path itself
    {
        cache::H5Writer w(file.tempPath());
        w.attribute("/", "format", std::string(kFormat));
        w.attribute("/", "schema_version", static_cast<std::int64_t>(kCellSchemaVersion));
        w.attribute("/", "identity", id.canonicalText());
        w.attribute("/", "items", cell.items);
        w.attribute("/", "seconds", cell.seconds);
        w.attribute("/", "metric_count", static_cast<std::int64_t>(cell.metrics.size()));
        for (std::size_t i = 0; i < cell.metrics.size(); ++i) {
            const auto& m = cell.metrics[i];
            const auto g = metricGroup(i);
            w.group(g);
            w.attribute(g, "name", m.name);
            w.attribute(g, "value", m.value);
            w.attribute(g, "floor", m.floor);
            w.attribute(g, "ci_low", m.ci.low);
            w.attribute(g, "ci_high", m.ci.high);
            w.attribute(g, "stderr", m.stderrMean);
            w.attribute(g, "higher_is_better", static_cast<std::int64_t>(m.higherIsBetter ? 1 : 0));
        }
        w.close();  // seals the file
    }
    file.commit();
}

}  // namespace avss::sweep
