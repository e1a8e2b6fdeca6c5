// Colour-blind-safe sequential colour map (viridis), computed, not looked up in a bitmap.
#pragma once

#include <QColor>
#include <QImage>

namespace avss::ui {

// t in [0, 1] (clamped): dark blue-violet → teal → yellow; lightness rises monotonically, so the
// order survives greyscale printing and the common colour-vision deficiencies.
QColor viridis(double t);

// Colour shown for a value that is not finite (NaN, ±inf): neutral grey, outside the map.
QColor missingValueColour();

// A horizontal legend bar `width` × 1 pixels from viridis(0) to viridis(1); scale it without smoothing.
QImage viridisBar(int width);

}  // namespace avss::ui
