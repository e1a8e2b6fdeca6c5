// Worker threads run below the GUI thread's priority, so a busy CPU (the model's compute pool, or
// other processes) delays the analysis a little rather than the event loop.
#pragma once

namespace avss::ui {

// Lowers the calling thread's scheduling priority (Linux: nice +5 for this thread only; threads it
// creates later, such as libtorch's OpenMP team, inherit it). Best effort: does nothing elsewhere.
void lowerCurrentThreadPriority();

}  // namespace avss::ui
