# Sources of core/src/analysis (appended to the lists in core/CMakeLists.txt).
list(APPEND AVSS_BASE_SOURCES
  src/analysis/activation_stats.cpp
  src/analysis/analysis_identity.cpp
  src/analysis/stats_identity.cpp
  src/analysis/held_out.cpp
  src/analysis/score_report_build.cpp
  src/analysis/site_reduce.cpp
  src/analysis/windows.cpp
  src/analysis/metrics.cpp
  src/analysis/scoring.cpp
  src/analysis/pruning_plan.cpp
  src/analysis/scree.cpp
  src/analysis/metric_guide.cpp
  src/analysis/logit_lens_json.cpp
  src/analysis/score_report.cpp
  src/analysis/measured_metrics.cpp
  src/analysis/measured_scores.cpp
)
list(APPEND AVSS_TORCH_SOURCES
  src/analysis/stats_observer.cpp
  src/analysis/collect.cpp
  src/analysis/obtain_stats.cpp
  src/analysis/what_if.cpp
  src/analysis/calibration_nll.cpp
  src/analysis/measured_importance.cpp
  src/analysis/iterative_selection.cpp
  src/analysis/logit_lens.cpp
)
# The fused statistics kernel runs once per activation element: let the compiler vectorise its
# reductions (OpenMP simd pragmas only; no OpenMP runtime).
set_source_files_properties(src/analysis/site_reduce.cpp PROPERTIES COMPILE_OPTIONS "-O3;-fopenmp-simd")
