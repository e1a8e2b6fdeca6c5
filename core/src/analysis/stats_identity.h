// The one list of fields that identify an activation-statistics analysis. statsIdentity(), the
// cache key, the mismatch report and the HDF5 cache's /provenance attributes all walk this table;
// a new option that changes the numbers is added here and nowhere else.
#pragma once

#include <vector>

#include "avss/activation_stats.h"
#include "avss/analysis_identity.h"

namespace avss::analysis {

struct StatsIdentityField {
    const char* key;    // also the /provenance attribute (vectors: dataset) name in the cache
    const char* label;  // words for messages
    IdentityValue (*get)(const StatsProvenance&);
    void (*set)(StatsProvenance&, const IdentityValue&);  // the value has get()'s alternative
    IdentityValue absent;  // what a cache written before the field existed means by its absence
};

const std::vector<StatsIdentityField>& statsIdentityFields();

}  // namespace avss::analysis
