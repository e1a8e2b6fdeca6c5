// CalibrationNll (see calibration_nll.h).
#include "analysis/calibration_nll.h"

#include <algorithm>

namespace avss::analysis {

CalibrationNll::CalibrationNll(const Model& model, const std::vector<TokenId>& tokens, PerplexityOptions options,
                               const CancelToken* cancel)
    : m_model(model), m_tokens(tokens), m_options(std::move(options)), m_cancel(cancel) {}

bool CalibrationNll::has(std::vector<int> skipped) const {
    std::sort(skipped.begin(), skipped.end());
    return m_measured.count(skipped) > 0;
}

double CalibrationNll::nll(std::vector<int> skipped) {
    std::sort(skipped.begin(), skipped.end());
    if (const auto it = m_measured.find(skipped); it != m_measured.end()) return it->second;
    m_options.skipLayers = skipped;
    const auto r = perplexity(m_model, m_tokens, m_options, {}, m_cancel);  // progress: per pass, by the caller
    ++m_passes;
    m_windows = r.windows;
    m_window = r.window;
    return m_measured[skipped] = r.meanNll;
}

}  // namespace avss::analysis
