// SVG rendering of a LineChart: fixed margins, a legend on the right, "nice" y ticks.
#include "sweep/line_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace avss::chart {
namespace {

constexpr double kLeft = 70, kRight = 210, kTop = 58, kBottom = 56;

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::string label(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", std::abs(v) < 1e-12 ? 0.0 : v);
    return buf;
}

std::string escape(const std::string& s) {
    std::string out;
    for (const char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string text(double x, double y, const std::string& s, const char* anchor = "start", int size = 12,
                 const char* extra = "") {
    return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" font-family=\"sans-serif\" font-size=\"" + std::to_string(size) +
           "\" text-anchor=\"" + anchor + "\" fill=\"#222222\"" + extra + ">" + escape(s) + "</text>\n";
}

// A step of 1, 2, 2.5 or 5 × 10^k that gives at most ~8 intervals.
double niceStep(double span) {
    const double raw = span / 8.0;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (m * p >= raw) return m * p;
    }
    return 10 * p;
}

}  // namespace

std::string paletteColour(int i) {
    static const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                                     "#e377c2", "#17becf", "#bcbd22", "#393b79", "#000000", "#7b4173",
                                     "#637939", "#e7ba52", "#843c39", "#6baed6"};
    return kColours[((i % kPaletteSize) + kPaletteSize) % kPaletteSize];
}

std::string renderSvg(const LineChart& c) {
    double xMin = INFINITY, xMax = -INFINITY, yMin = 0, yMax = 1.05;
    auto seeX = [&](double x) { xMin = std::min(xMin, x); xMax = std::max(xMax, x); };
    auto seeY = [&](double y) {
        if (std::isfinite(y)) { yMin = std::min(yMin, y); yMax = std::max(yMax, y); }
    };
    for (const auto& s : c.series) {
        for (std::size_t i = 0; i < s.x.size(); ++i) { seeX(s.x[i]); seeY(s.y[i]); }
    }
    for (const auto& b : c.bands) {
        for (std::size_t i = 0; i < b.x.size(); ++i) { seeX(b.x[i]); seeY(b.low[i]); seeY(b.high[i]); }
    }
    for (const auto& r : c.rules) seeY(r.y);
    if (!std::isfinite(xMin)) { xMin = 0; xMax = 1; }
    if (xMax <= xMin) xMax = xMin + 1;
    const double step = niceStep(yMax - yMin);
    yMin = std::floor(yMin / step) * step;
    yMax = std::ceil(yMax / step) * step;
    const double w = c.width, h = c.height;
    const double pw = w - kLeft - kRight, ph = h - kTop - kBottom;
    auto px = [&](double x) { return kLeft + (x - xMin) / (xMax - xMin) * pw; };
    auto py = [&](double y) { return kTop + (yMax - y) / (yMax - yMin) * ph; };

    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.2\" "
                      "baseProfile=\"tiny\" width=\"" + std::to_string(c.width) + "\" height=\"" + std::to_string(c.height) +
                      "\" viewBox=\"0 0 " + std::to_string(c.width) + " " + std::to_string(c.height) + "\">\n";
    svg += "<rect x=\"0\" y=\"0\" width=\"" + num(w) + "\" height=\"" + num(h) + "\" fill=\"#ffffff\"/>\n";
    svg += text(kLeft, 24, c.title, "start", 16);
    if (!c.subtitle.empty()) svg += text(kLeft, 42, c.subtitle, "start", 11);
    // Grid and ticks.
    for (double y = yMin; y <= yMax + step / 2; y += step) {
        svg += "<line x1=\"" + num(kLeft) + "\" y1=\"" + num(py(y)) + "\" x2=\"" + num(kLeft + pw) + "\" y2=\"" + num(py(y)) +
               "\" stroke=\"#e4e4e4\" stroke-width=\"1\"/>\n";
        svg += text(kLeft - 6, py(y) + 4, label(y), "end", 11);
    }
    std::set<double> xTicks(c.xTicks.begin(), c.xTicks.end());
    if (xTicks.empty()) {
        for (const auto& s : c.series) xTicks.insert(s.x.begin(), s.x.end());
    }
    for (const double x : xTicks) {
        svg += "<line x1=\"" + num(px(x)) + "\" y1=\"" + num(kTop + ph) + "\" x2=\"" + num(px(x)) + "\" y2=\"" + num(kTop + ph + 5) +
               "\" stroke=\"#555555\" stroke-width=\"1\"/>\n";
        svg += text(px(x), kTop + ph + 18, label(x), "middle", 11);
    }
    svg += "<rect x=\"" + num(kLeft) + "\" y=\"" + num(kTop) + "\" width=\"" + num(pw) + "\" height=\"" + num(ph) +
           "\" fill=\"none\" stroke=\"#555555\" stroke-width=\"1\"/>\n";
    svg += text(kLeft + pw / 2, h - 12, c.xLabel, "middle", 12);
    svg += "<g transform=\"translate(18," + num(kTop + ph / 2) + ") rotate(-90)\">" + text(0, 0, c.yLabel, "middle", 12) + "</g>\n";
    // Bands under the lines, rules under the lines, then the lines.
    for (const auto& b : c.bands) {
        std::string pts;
        for (std::size_t i = 0; i < b.x.size(); ++i) pts += num(px(b.x[i])) + "," + num(py(b.high[i])) + " ";
        for (std::size_t i = b.x.size(); i-- > 0;) pts += num(px(b.x[i])) + "," + num(py(b.low[i])) + " ";
        svg += "<polygon points=\"" + pts + "\" fill=\"" + b.colour + "\" fill-opacity=\"0.22\" stroke=\"none\"/>\n";
    }
    for (const auto& r : c.rules) {
        svg += "<line x1=\"" + num(kLeft) + "\" y1=\"" + num(py(r.y)) + "\" x2=\"" + num(kLeft + pw) + "\" y2=\"" + num(py(r.y)) +
               "\" stroke=\"" + r.colour + "\" stroke-width=\"1.2\" stroke-dasharray=\"6,4\"/>\n";
        svg += text(kLeft + pw - 4, py(r.y) - 4, r.label, "end", 10);
    }
    for (const auto& s : c.series) {
        const std::string dash = s.dashed ? " stroke-dasharray=\"5,3\"" : "";
        std::string pts;
        auto flush = [&] {
            if (!pts.empty()) {
                svg += "<polyline points=\"" + pts + "\" fill=\"none\" stroke=\"" + s.colour + "\" stroke-width=\"2\"" + dash + "/>\n";
            }
            pts.clear();
        };
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!std::isfinite(s.y[i])) { flush(); continue; }
            pts += num(px(s.x[i])) + "," + num(py(s.y[i])) + " ";
        }
        flush();
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!std::isfinite(s.y[i])) continue;
            svg += "<circle cx=\"" + num(px(s.x[i])) + "\" cy=\"" + num(py(s.y[i])) + "\" r=\"3\" fill=\"" + s.colour + "\"/>\n";
        }
    }
    // Legend: series, then bands.
    double ly = kTop + 8;
    const double lx = kLeft + pw + 16;
    for (const auto& s : c.series) {
        svg += "<line x1=\"" + num(lx) + "\" y1=\"" + num(ly) + "\" x2=\"" + num(lx + 22) + "\" y2=\"" + num(ly) + "\" stroke=\"" +
               s.colour + "\" stroke-width=\"2\"" + (s.dashed ? " stroke-dasharray=\"5,3\"" : "") + "/>\n";
        svg += text(lx + 28, ly + 4, s.name, "start", 11);
        ly += 18;
    }
    for (const auto& b : c.bands) {
        svg += "<rect x=\"" + num(lx) + "\" y=\"" + num(ly - 6) + "\" width=\"22\" height=\"12\" fill=\"" + b.colour +
               "\" fill-opacity=\"0.22\"/>\n";
        svg += text(lx + 28, ly + 4, b.name, "start", 11);
        ly += 18;
    }
    svg += "</svg>\n";
    return svg;
}

}  // namespace avss::chart
