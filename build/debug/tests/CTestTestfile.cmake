# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/debug/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
include("/work/main/build/debug/tests/infra_state_tests[1]_include.cmake")
include("/work/main/build/debug/tests/infra_bus_tests[1]_include.cmake")
include("/work/main/build/debug/tests/infra_bus_tests[2]_include.cmake")
include("/work/main/build/debug/tests/infra_sql_tests[1]_include.cmake")
