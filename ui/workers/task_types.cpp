// Metatype registration for the values that cross from worker threads to the GUI thread.
#include "workers/task_types.h"

#include <cmath>

#include "util/qt_convert.h"
#include "workers/mitigation_worker.h"

namespace avss::ui {

double MeasureResult::densePerplexity() const { return std::exp(denseNll); }
double MeasureResult::prunedPerplexity() const { return std::exp(prunedNll); }

avss::TaskSpec TaskChoice::spec() const {
    avss::TaskSpec spec;
    spec.name = toUtf8(name);
    spec.data = toPath(file);
    spec.limit = limit;
    return spec;
}

void registerMetaTypes() {
    qRegisterMetaType<avss::ui::JobProgress>();
    qRegisterMetaType<avss::ui::LoadResult>();
    qRegisterMetaType<avss::ui::AnalysisResult>();
    qRegisterMetaType<avss::ui::MeasureResult>();
    qRegisterMetaType<avss::ui::ExportDone>();
    qRegisterMetaType<avss::ui::TaskLoaded>();
    qRegisterMetaType<avss::ui::SweepUpdate>();
    qRegisterMetaType<avss::ui::LensDone>();
    qRegisterMetaType<avss::ui::HalluJob>();
    qRegisterMetaType<avss::ui::HalluDone>();
    qRegisterMetaType<avss::ui::TrainJob>();
    qRegisterMetaType<avss::ui::TrainDone>();
    qRegisterMetaType<avss::ui::CompareJob>();
    qRegisterMetaType<avss::ui::CompareDone>();
    qRegisterMetaType<avss::TrainStep>();
}

}  // namespace avss::ui
