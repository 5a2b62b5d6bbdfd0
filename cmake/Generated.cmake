# Code generated from schemas/ at build time (tools/gen/generate.py).
set(ONAIR_SCHEMA_DIR ${CMAKE_SOURCE_DIR}/schemas)
set(ONAIR_GEN_DIR ${CMAKE_BINARY_DIR}/generated)
