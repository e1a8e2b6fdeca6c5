# Sources of core/src/hallu (appended to the lists in core/CMakeLists.txt): truthful/hallucinated
# answer pairs, their teacher-forced statistics and the HSAV/HSS/EAVSS scores.
list(APPEND AVSS_BASE_SOURCES
  src/hallu/pairs_reader.cpp
  src/hallu/forced_answers.cpp
  src/hallu/hallu_scores.cpp
  src/hallu/hallu_report.cpp
  src/hallu/mitigation.cpp
  src/hallu/self_answers.cpp
)
list(APPEND AVSS_TORCH_SOURCES
  src/hallu/answer_batch.cpp
  src/hallu/hallu_stats.cpp
  src/hallu/contrastive_trainer.cpp
  src/hallu/tuned_export.cpp
  src/hallu/divergence.cpp
  src/hallu/self_answer_run.cpp
)
