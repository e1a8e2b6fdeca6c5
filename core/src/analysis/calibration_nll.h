// The calibration perplexity of the model with a set of blocks skipped, measured once per set: the
// one measurement behind leave-one-out and SLEB (measured_importance.cpp).
#pragma once

#include <map>
#include <vector>

#include "avss/cancel.h"
#include "avss/model.h"
#include "avss/perplexity.h"

namespace avss::analysis {

class CalibrationNll {
public:
    // tokens: the calibration text, kept by reference (it must outlive this object); options: the
    // windows (skipLayers is set per call). The model runs only in nll().
    CalibrationNll(const Model& model, const std::vector<TokenId>& tokens, PerplexityOptions options, const CancelToken* cancel);

    // Mean NLL per predicted token with `skipped` bypassed (order does not matter; {} = dense).
    // Throws as perplexity(): UsageError, Cancelled.
    double nll(std::vector<int> skipped);
    bool has(std::vector<int> skipped) const;  // measured already

    int passes() const { return m_passes; }  // forward passes over the calibration text so far
    int windows() const { return m_windows; }
    int window() const { return m_window; }

private:
    const Model& m_model;
    const std::vector<TokenId>& m_tokens;
    PerplexityOptions m_options;
    const CancelToken* m_cancel;
    std::map<std::vector<int>, double> m_measured;  // sorted skip set → mean NLL
    int m_passes = 0, m_windows = 0, m_window = 0;
};

}  // namespace avss::analysis
