// A small line chart as data, rendered to SVG text (SVG Tiny 1.2 subset, so Qt's renderer can turn
// it into a PNG): lines with point markers, shaded bands, horizontal reference rules and a legend.
#pragma once

#include <string>
#include <vector>

namespace avss::chart {

struct Series {
    std::string name, colour;     // colour: "#rrggbb"
    std::vector<double> x, y;     // same length; NaN y leaves a gap
    bool dashed = false;
};

struct Band {
    std::string name, colour;
    std::vector<double> x, low, high;
};

struct Rule {
    double y = 0;
    std::string label, colour;
};

struct LineChart {
    std::string title, subtitle, xLabel, yLabel;
    std::vector<Series> series;
    std::vector<Band> bands;
    std::vector<Rule> rules;
    std::vector<double> xTicks;   // empty: every distinct x of the series
    int width = 900, height = 560;
};

std::string renderSvg(const LineChart& chart);

// "#rrggbb" for series i of a qualitative palette (cycles after kPaletteSize; callers dash the repeats).
constexpr int kPaletteSize = 16;
std::string paletteColour(int i);

}  // namespace avss::chart
