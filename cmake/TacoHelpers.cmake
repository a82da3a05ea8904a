# taco_add_test(NAME SOURCES... LIBS ... [TIMEOUT s] [LABELS l] [RUN_SERIAL]
#               [SERIAL_TESTS gtest-filter]): one GoogleTest executable registered
# with ctest; RUN_SERIAL runs its tests alone, SERIAL_TESTS only the tests the
# filter names (a test that would starve whatever ran beside it).
function(taco_add_test name)
  cmake_parse_arguments(ARG "RUN_SERIAL" "TIMEOUT;LABELS;SERIAL_TESTS" "SOURCES;LIBS" ${ARGN})
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
  if(ARG_SERIAL_TESTS)
    gtest_discover_tests(${name}
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      TEST_FILTER "-${ARG_SERIAL_TESTS}"
      PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS ${ARG_LABELS} RUN_SERIAL ${serial}
      DISCOVERY_TIMEOUT 60)
    gtest_discover_tests(${name}
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      TEST_FILTER "${ARG_SERIAL_TESTS}"
      PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS ${ARG_LABELS} RUN_SERIAL TRUE
      DISCOVERY_TIMEOUT 60)
  else()
    gtest_discover_tests(${name}
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS ${ARG_LABELS} RUN_SERIAL ${serial}
      DISCOVERY_TIMEOUT 60)
  endif()
endfunction()
