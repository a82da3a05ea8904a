# taco_add_test(NAME SOURCES... LIBS ... [TIMEOUT s] [LABELS l] [RUN_SERIAL]): one
# GoogleTest executable registered with ctest; RUN_SERIAL runs its tests alone.
function(taco_add_test name)
  cmake_parse_arguments(ARG "RUN_SERIAL" "TIMEOUT;LABELS" "SOURCES;LIBS" ${ARGN})
  if(NOT TACO_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main GTest::gmock taco_warnings)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  set(serial FALSE)
  if(ARG_RUN_SERIAL)
    set(serial TRUE)
  endif()
  # One label per executable: gtest_discover_tests splits a list value.
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS ${ARG_LABELS} RUN_SERIAL ${serial}
    DISCOVERY_TIMEOUT 60)
endfunction()
