# Runs one step of a consumer test (cmake -P). Called by tests/consumers/CMakeLists.txt.
#
#   MODE=install: -DBUILD_DIR=<duly build> -DPREFIX=<dir> [-DCONFIG=<cfg>]
#     installs the duly build tree into a fresh PREFIX.
#   MODE=build:   -DSOURCE_DIR=<project> -DBINARY_DIR=<dir> -DGENERATOR=<gen>
#                 [-DMAKE_PROGRAM=..] [-DCXX_COMPILER=..] [-DCONFIG=..] [-DJOBS=n]
#                 [-DCXX_FLAGS=..] [-DLINKER_FLAGS=..] [-DCACHE_ARGS=a|b|c]
#     configures and builds the consumer project, then runs its `consumer`.
cmake_minimum_required(VERSION 3.20)

function(run)
  string(REPLACE ";" " " shown "${ARGN}")
  message(STATUS "run: ${shown}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${shown}")
  endif()
endfunction()

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  set(config_args)
  if(CONFIG)
    set(config_args --config "${CONFIG}")
  endif()
  run("${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" ${config_args})
  return()
endif()

if(NOT MODE STREQUAL "build")
  message(FATAL_ERROR "MODE must be install or build, not '${MODE}'")
endif()

set(args -S "${SOURCE_DIR}" -B "${BINARY_DIR}" -G "${GENERATOR}")
if(MAKE_PROGRAM)
  list(APPEND args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(CXX_COMPILER)
  list(APPEND args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(CONFIG)
  list(APPEND args "-DCMAKE_BUILD_TYPE=${CONFIG}")
endif()
# Always pass the flags, even empty, so that a cached value from an earlier
# run with other flags does not linger.
list(APPEND args "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")
if(CACHE_ARGS)
  string(REPLACE "|" ";" cache_args "${CACHE_ARGS}")
  list(APPEND args ${cache_args})
endif()
run("${CMAKE_COMMAND}" ${args})

if(NOT JOBS)
  set(JOBS 2)
endif()
set(build_args --build "${BINARY_DIR}" --parallel "${JOBS}")
if(CONFIG)
  list(APPEND build_args --config "${CONFIG}")
endif()
run("${CMAKE_COMMAND}" ${build_args})

# Single-config generators put the program in BINARY_DIR, multi-config ones
# in BINARY_DIR/<config>.
set(exe "${BINARY_DIR}/consumer")
if(NOT EXISTS "${exe}" AND CONFIG)
  set(exe "${BINARY_DIR}/${CONFIG}/consumer")
endif()
run("${exe}")
