# Sources of core/src/eval (appended to the lists in core/CMakeLists.txt): benchmark tasks, their
# readers and metrics (torch-free), and the Evaluator that runs them on a model.
list(APPEND AVSS_BASE_SOURCES
  src/eval/input_file.cpp
  src/eval/csv_reader.cpp
  src/eval/json_records.cpp
  src/eval/row_sink.cpp
  src/eval/python_text.cpp
  src/eval/pattern.cpp
  src/eval/prompts.cpp
  src/eval/task_registry.cpp
  src/eval/perplexity_task.cpp
  src/eval/sciq_reader.cpp
  src/eval/truthfulqa_reader.cpp
  src/eval/qa_reader.cpp
  src/eval/sst2_reader.cpp
  src/eval/wikiqa_reader.cpp
  src/eval/metrics.cpp
  src/eval/exact_match.cpp
  src/eval/ranking.cpp
  src/eval/bootstrap.cpp
  src/eval/eval_result.cpp
  src/eval/eval_json.cpp
  src/eval/eval_result_file.cpp
)
list(APPEND AVSS_TORCH_SOURCES
  src/eval/choice_scorer.cpp
  src/eval/evaluator.cpp
)
