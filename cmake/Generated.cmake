# Code generated from schemas/ at build time (tools/gen/generate.py).
set(ONAIR_SCHEMA_DIR ${CMAKE_SOURCE_DIR}/schemas)
set(ONAIR_GEN_DIR ${CMAKE_BINARY_DIR}/generated)
set(ONAIR_GENERATOR ${CMAKE_SOURCE_DIR}/tools/gen/generate.py)
file(GLOB ONAIR_GENERATOR_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tools/gen/*.py)
# The list of outputs is computed at configure time from the schema file names (the globs re-run when a
# schema is added or removed) and by the generator itself (so a changed generator re-runs the configure).
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${ONAIR_GENERATOR_SOURCES})

# onair_generate(<schema dir> <out dir> <outputs var> <sources var>): a custom command that runs the
# generator over <schema dir>/*.yaml into <out dir>/gen/..., and the list of files it writes. Call it in
# the directory whose targets compile the outputs. The generator only rewrites files whose content
# changed, so editing a schema recompiles just what it affects.
function(onair_generate schema_dir out_dir outputs_var sources_var)
  file(GLOB schema_files CONFIGURE_DEPENDS ${schema_dir}/*.yaml)
  execute_process(
    COMMAND ${Python3_EXECUTABLE} ${ONAIR_GENERATOR} --schemas ${schema_dir} --out ${out_dir} --list-outputs
    OUTPUT_VARIABLE listed
    ERROR_VARIABLE errors
    RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "tools/gen/generate.py --list-outputs failed for ${schema_dir}:\n${errors}")
  endif()
  string(STRIP "${listed}" listed)
  string(REPLACE "\n" ";" outputs "${listed}")
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND ${Python3_EXECUTABLE} ${ONAIR_GENERATOR} --schemas ${schema_dir} --out ${out_dir}
            --version ${PROJECT_VERSION}
    DEPENDS ${schema_files} ${ONAIR_GENERATOR_SOURCES}
    COMMENT "Generating C++ from ${schema_dir}"
    VERBATIM)
  set(sources ${outputs})
  list(FILTER sources INCLUDE REGEX "\\.cpp$")
  set(${outputs_var} ${outputs} PARENT_SCOPE)
  set(${sources_var} ${sources} PARENT_SCOPE)
endfunction()

onair_generate(${ONAIR_SCHEMA_DIR} ${ONAIR_GEN_DIR} ONAIR_GEN_OUTPUTS ONAIR_GEN_SOURCES)

# Models, routes, topics, configuration and the merged OpenAPI document of every service. Code includes
# them as "gen/<svc>/models.hpp". onair_core and onair_platform_routes are defined in src/ (linking to a
# target defined later is fine).
add_library(onair_generated STATIC ${ONAIR_GEN_OUTPUTS})
target_include_directories(onair_generated PUBLIC ${ONAIR_GEN_DIR})
target_link_libraries(onair_generated PUBLIC onair_core onair_platform_routes)
