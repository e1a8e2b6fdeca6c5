// A saved session (what is open and how the window looks) and its JSON form (QJsonDocument).
// The analysis itself is not in the session: it comes back from the analysis cache.
#pragma once

#include <QByteArray>
#include <QString>
#include <optional>

#include "analysis_settings.h"
#include "avss/pruning_plan.h"
#include "workers/task_types.h"

namespace avss::ui {

struct Session {
    QString modelPath;
    DataSource data;
    AnalysisSettings settings;
    QString cacheFile;  // user-chosen cache file; empty = automatic
    QString metric;
    avss::PruningRule rule;
    int selectedLayer = -1;
    QByteArray windowState, windowGeometry;  // QMainWindow::saveState / saveGeometry
};

constexpr int kSessionVersion = 1;

QByteArray sessionToJson(const Session& session);
// Returns the session, or nullopt with *error naming the field that is wrong.
std::optional<Session> sessionFromJson(const QByteArray& json, QString* error);

}  // namespace avss::ui
