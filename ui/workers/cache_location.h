// Files kept next to an analysis cache file (whose name the core gives: avss::analysisCachePath).
#pragma once

#include <QString>

namespace avss::ui {

// The what-if measurements stored next to an analysis cache file (<name>.whatif.json).
QString measurementFileFor(const QString& analysisCacheFile);

}  // namespace avss::ui
