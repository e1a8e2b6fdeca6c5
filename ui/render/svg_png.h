// PNG files from the SVG charts the core draws (avss::sweepPlotSvg): one layout, two formats. Needs
// Qt Gui and Svg only; creates an offscreen QGuiApplication when the process has none, so the
// headless `avss` can call it.
#pragma once

#include <filesystem>
#include <string>

namespace avss::render {

// Renders `svg` at its own size (× scale) on white and writes a PNG atomically enough for a plot
// (temporary file, then rename). Throws avss::IoError naming the file; FormatError when Qt cannot
// parse the SVG.
void writeSvgAsPng(const std::string& svg, const std::filesystem::path& file, double scale = 1.0);

}  // namespace avss::render
