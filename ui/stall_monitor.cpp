// Event-loop gap measurement with a precise 10 ms timer.
#include "stall_monitor.h"

#include <algorithm>

namespace avss::ui {

StallMonitor::StallMonitor(int intervalMs, QObject* parent) : QObject(parent) {
    m_timer.setInterval(intervalMs);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &StallMonitor::tick);
}

void StallMonitor::start() {
    m_clock.start();
    m_last = m_clock.nsecsElapsed();
    m_maxGapMs = 0;
    m_ticks = 0;
    m_gapsMs.clear();
    m_timer.start();
}

void StallMonitor::stop() {
    tick();  // a stall just before stop() counts too
    m_timer.stop();
}

void StallMonitor::tick() {
    const qint64 now = m_clock.nsecsElapsed();
    const double gap = static_cast<double>(now - m_last) / 1e6;
    m_maxGapMs = std::max(m_maxGapMs, gap);
    m_gapsMs.push_back(gap);
    m_last = now;
    ++m_ticks;
}

double StallMonitor::gapPercentileMs(double q) const {
    if (m_gapsMs.empty()) return 0;
    std::vector<double> sorted = m_gapsMs;
    const auto k = static_cast<std::size_t>(std::clamp(q, 0.0, 1.0) * static_cast<double>(sorted.size() - 1));
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k), sorted.end());
    return sorted[k];
}

}  // namespace avss::ui
