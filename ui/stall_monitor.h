// Measures how long the GUI event loop goes without running: a 10 ms timer records the largest gap
// between its ticks. Used by the UI test (bound: < 50 ms during an analysis) and by --screenshot,
// which prints the number for docs/explorer.md.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace avss::ui {

class StallMonitor : public QObject {
    Q_OBJECT
public:
    explicit StallMonitor(int intervalMs = 10, QObject* parent = nullptr);
    void start();
    void stop();
    double maxGapMs() const { return m_maxGapMs; }  // largest interval between two ticks
    qint64 ticks() const { return m_ticks; }

private:
    void tick();
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = -1;  // ns of the previous tick
    double m_maxGapMs = 0;
    qint64 m_ticks = 0;
};

}  // namespace avss::ui
