// viridis as a 6th-degree polynomial fit per channel (max error < 2/255 against matplotlib's table).
#include "render/colour_map.h"

#include <algorithm>
#include <array>

namespace avss::ui {

QColor viridis(double t) {
    t = std::clamp(t, 0.0, 1.0);
    static constexpr std::array<std::array<double, 3>, 7> c{{
        {0.2777273272234177, 0.005407344544966578, 0.3340998053353061},
        {0.1050930431085774, 1.404613529898575, 1.384590162594685},
        {-0.3308618287255563, 0.214847559468213, 0.09509516302823659},
        {-4.634230498983486, -5.799100973351585, -19.33244095627987},
        {6.228269936347081, 14.17993336680509, 56.69055260068105},
        {4.776384997670288, -13.74514537774601, -65.35303263337234},
        {-5.435455855934631, 4.645852612178535, 26.3124352495832},
    }};
    std::array<double, 3> rgb{};
    for (int ch = 0; ch < 3; ++ch) {
        double v = c[6][static_cast<std::size_t>(ch)];
        for (int k = 5; k >= 0; --k) v = v * t + c[static_cast<std::size_t>(k)][static_cast<std::size_t>(ch)];  // Horner
        rgb[static_cast<std::size_t>(ch)] = std::clamp(v, 0.0, 1.0);
    }
    return QColor::fromRgbF(static_cast<float>(rgb[0]), static_cast<float>(rgb[1]), static_cast<float>(rgb[2]));
}

QColor missingValueColour() { return QColor(0x9e, 0x9e, 0x9e); }

QImage viridisBar(int width) {
    width = std::max(width, 2);
    QImage bar(width, 1, QImage::Format_RGB32);
    for (int x = 0; x < width; ++x) bar.setPixel(x, 0, viridis(static_cast<double>(x) / (width - 1)).rgb());
    return bar;
}

}  // namespace avss::ui
