// Metatype registration for the values that cross from worker threads to the GUI thread.
#include "workers/task_types.h"

#include <cmath>

namespace avss::ui {

double MeasureResult::densePerplexity() const { return std::exp(denseNll); }
double MeasureResult::prunedPerplexity() const { return std::exp(prunedNll); }

void registerMetaTypes() {
    qRegisterMetaType<avss::ui::JobProgress>();
    qRegisterMetaType<avss::ui::LoadResult>();
    qRegisterMetaType<avss::ui::AnalysisResult>();
    qRegisterMetaType<avss::ui::MeasureResult>();
    qRegisterMetaType<avss::ui::ExportDone>();
}

}  // namespace avss::ui
