# taco_bench_learner: PaCo-SAC updates/s at the paper's shape against a Python
# PyTorch eager reference of the same update (see learner_bench.cc). Included
# from bench/CMakeLists.txt, or from learner/paco in TACO_PACO_ONLY mode.
add_executable(taco_bench_learner ${PROJECT_SOURCE_DIR}/bench/learner_bench.cc)
target_link_libraries(taco_bench_learner PRIVATE taco_paco taco_warnings)
target_precompile_headers(taco_bench_learner REUSE_FROM taco_paco)
target_compile_definitions(taco_bench_learner PRIVATE
  TACO_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
# scripts/bench runs benchmarks from the top of the build folder.
set_target_properties(taco_bench_learner PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
# One update recomputed by the Python reference from the same state and noise
# (skipped where /usr/bin/python3 has no torch).
if(TACO_BUILD_TESTS)
  add_test(NAME paco_reference_crosscheck
    COMMAND taco_bench_learner --crosscheck=${CMAKE_CURRENT_BINARY_DIR}/paco_crosscheck
      --reference=${PROJECT_SOURCE_DIR}/bench/reference_paco_update.py)
  set_tests_properties(paco_reference_crosscheck PROPERTIES
    LABELS paco SKIP_RETURN_CODE 77 TIMEOUT 120)
  # The same check against a learner whose optimizer step is broken after the
  # fact: each run passes only if the check fails on the post-step values.
  foreach(tamper missing flipped doubled)
    add_test(NAME paco_reference_crosscheck_catches_${tamper}_step
      COMMAND taco_bench_learner
        --crosscheck=${CMAKE_CURRENT_BINARY_DIR}/paco_crosscheck_${tamper} --tamper=${tamper}
        --reference=${PROJECT_SOURCE_DIR}/bench/reference_paco_update.py)
    set_tests_properties(paco_reference_crosscheck_catches_${tamper}_step PROPERTIES
      LABELS paco SKIP_RETURN_CODE 77 TIMEOUT 120)
  endforeach()
endif()
