// Measures how long the GUI event loop goes without running: a 10 ms timer records every gap between
// its ticks. Used by the UI test (95th percentile < 50 ms during an analysis: a shared machine's
// scheduler alone can pause any thread ~100 ms, work on the UI thread shows in every batch) and by
// --screenshot, which prints the numbers for docs/explorer.md.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <vector>

namespace avss::ui {

class StallMonitor : public QObject {
    Q_OBJECT
public:
    explicit StallMonitor(int intervalMs = 10, QObject* parent = nullptr);
    void start();
    void stop();
    double maxGapMs() const { return m_maxGapMs; }  // largest interval between two ticks
    double gapPercentileMs(double q) const;         // q in [0, 1]; 0 before any tick
    qint64 ticks() const { return m_ticks; }

private:
    void tick();
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = -1;  // ns of the previous tick
    double m_maxGapMs = 0;
    qint64 m_ticks = 0;
    std::vector<double> m_gapsMs;
};

}  // namespace avss::ui
