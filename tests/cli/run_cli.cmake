# Runs `duly` once and compares what it did with what was expected (cmake -P).
#
#   cmake -DDULY=<exe> -DEXPECTED=<prefix> -DRC=<n> -P run_cli.cmake -- <duly arguments...>
#
# <prefix>.stdout holds the exact expected stdout (or <prefix>.stdout-regex a
# regular expression it must match); <prefix>.stderr, if present,
# the exact expected stderr, else <prefix>.stderr-regex, if present, a regular
# expression stderr must match; with neither, stderr must be empty.
# <prefix>.stdin, if present, is fed to stdin.
cmake_minimum_required(VERSION 3.20)

set(args)
set(take OFF)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE 1 ${last})
  if(take)
    list(APPEND args "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(take ON)
  endif()
endforeach()

set(input)
if(EXISTS "${EXPECTED}.stdin")
  set(input INPUT_FILE "${EXPECTED}.stdin")
endif()
execute_process(COMMAND "${DULY}" ${args} ${input}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)

string(REPLACE ";" " " shown "${args}")
set(problems "")
if(NOT rc STREQUAL RC)
  string(APPEND problems "exit code: expected ${RC}, got ${rc}\n")
endif()
if(EXISTS "${EXPECTED}.stdout-regex")
  file(READ "${EXPECTED}.stdout-regex" want_out)
  string(STRIP "${want_out}" want_out)
  if(NOT out MATCHES "${want_out}")
    string(APPEND problems "stdout does not match /${want_out}/.\n--- actual stdout\n${out}---\n")
  endif()
else()
  file(READ "${EXPECTED}.stdout" want_out)
  if(NOT out STREQUAL want_out)
    string(APPEND problems "stdout differs.\n--- expected stdout\n${want_out}--- actual stdout\n${out}---\n")
  endif()
endif()
if(EXISTS "${EXPECTED}.stderr")
  file(READ "${EXPECTED}.stderr" want_err)
  if(NOT err STREQUAL want_err)
    string(APPEND problems "stderr differs.\n--- expected stderr\n${want_err}--- actual stderr\n${err}---\n")
  endif()
elseif(EXISTS "${EXPECTED}.stderr-regex")
  file(READ "${EXPECTED}.stderr-regex" want_err)
  string(STRIP "${want_err}" want_err)
  if(NOT err MATCHES "${want_err}")
    string(APPEND problems "stderr does not match /${want_err}/.\n--- actual stderr\n${err}---\n")
  endif()
elseif(NOT err STREQUAL "")
  string(APPEND problems "stderr should be empty.\n--- actual stderr\n${err}---\n")
endif()

if(problems)
  message(FATAL_ERROR "duly ${shown}\n${problems}")
endif()
message(STATUS "ok: duly ${shown}")
