// Sessions: what is open and how the window looks, saved as JSON (session_json.h) and reopened.
// The analysis itself is not in the session: it comes back from the analysis cache.
#pragma once

#include "session_json.h"

namespace avss::ui {

class Workspace;

Session captureSession(const Workspace& workspace);
// Settings, data, metric, rule and selection go to the workspace; the model path is for the caller to open.
void applySession(const Session& session, Workspace& workspace);

}  // namespace avss::ui
