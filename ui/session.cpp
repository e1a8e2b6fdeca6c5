// Sessions: the workspace state captured into, and applied from, a Session (JSON: session_json.cpp).
#include "session.h"

#include "workspace.h"

namespace avss::ui {

Session captureSession(const Workspace& w) {
    Session s;
    s.modelPath = w.modelPath();
    s.data = w.dataSource();
    s.settings = w.settings();
    s.cacheFile = w.cacheFileOverride();
    s.metric = w.metric();
    s.rule = w.rule();
    s.selectedLayer = w.selectedLayer();
    return s;
}

void applySession(const Session& s, Workspace& w) {
    w.setSettings(s.settings);
    w.setCacheFileOverride(s.cacheFile);
    w.setDataSource(s.data);
    if (!s.metric.isEmpty()) w.setMetric(s.metric);
    w.setRule(s.rule);
    w.setSelectedLayer(s.selectedLayer);
}

}  // namespace avss::ui
