// JSON has no NaN or infinity: every report the core writes stores a non-finite number as null.
#pragma once

#include <cmath>

namespace avss::util {

template <class Json>
Json finiteOrNull(double value) {
    return std::isfinite(value) ? Json(value) : Json(nullptr);
}

}  // namespace avss::util
