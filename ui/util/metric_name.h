// A metric's display name for charts and legends ("Block Influence (ShortGPT)", not "bi"); the id
// itself when the registry does not know it (an old measurement file).
#pragma once

#include <QString>

#include "avss/error.h"
#include "avss/layer_scores.h"
#include "util/qt_convert.h"

namespace avss::ui {

inline QString metricName(const QString& id) {
    try {
        return toQString(avss::findMetric(toUtf8(id)).name);
    } catch (const avss::Error&) {
        return id;
    }
}

}  // namespace avss::ui
