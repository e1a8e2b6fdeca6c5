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
    m_timer.start();
}

void StallMonitor::stop() {
    tick();  // a stall just before stop() counts too
    m_timer.stop();
}

void StallMonitor::tick() {
    const qint64 now = m_clock.nsecsElapsed();
    m_maxGapMs = std::max(m_maxGapMs, static_cast<double>(now - m_last) / 1e6);
    m_last = now;
    ++m_ticks;
}

}  // namespace avss::ui
