# Sources of core/src/sweep (appended to the lists in core/CMakeLists.txt): retention sweeps, their
# cell store, rows, files and plots (torch-free), and the run that evaluates cells on a model.
list(APPEND AVSS_BASE_SOURCES
  src/sweep/sweep_plan.cpp
  src/sweep/cell_identity.cpp
  src/sweep/cell_store.cpp
  src/sweep/sweep_read.cpp
  src/sweep/sweep_files.cpp
  src/sweep/line_chart.cpp
  src/sweep/sweep_plot.cpp
)
list(APPEND AVSS_TORCH_SOURCES
  src/sweep/run_sweep.cpp
)
