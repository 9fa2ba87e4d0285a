# Runs one program for the docs and captures what it prints, as the reader would see it.
#   cmake -DPROGRAM=<exe> -DNAME=<shown name> -DARGS=<args separated by |> -DOUTPUT=<txt>
#         -DOUT_DIR=<program's --out_dir> -DFIGURES=<folder for its SVGs> [-DEXIT_CODE=<n>]
#         -P capture_output.cmake
# The run must end with EXIT_CODE (0 unless given: the exercise checker's failing verdict is 1).
# Without OUT_DIR the program gets no --out_dir flag (it writes no files). Its stdout and stderr go to OUTPUT after a "$ command" line; every SVG it
# wrote under OUT_DIR is copied into FIGURES for the pages to show.
string(REPLACE "|" ";" args "${ARGS}")
if(NOT DEFINED EXIT_CODE)
  set(EXIT_CODE 0)
endif()
set(out_dir_args "")
if(OUT_DIR)
  file(REMOVE_RECURSE "${OUT_DIR}")
  set(out_dir_args --out_dir "${OUT_DIR}")
endif()
execute_process(
  COMMAND "${PROGRAM}" ${args} ${out_dir_args}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc
  TIMEOUT 600)
if(NOT rc EQUAL EXIT_CODE)
  message(FATAL_ERROR "docs: '${NAME} ${args}' failed (${rc}):\n${out}\n${err}")
endif()
string(REPLACE ";" " " shown "${args}")
# Paths of the build machine mean nothing to a reader: show them relative to the build tree.
if(OUT_DIR)
  string(REPLACE "${OUT_DIR}" "<out_dir>" out "${out}")
  string(REPLACE "${OUT_DIR}" "<out_dir>" err "${err}")
endif()
file(WRITE "${OUTPUT}" "$ ${NAME} ${shown}\n${out}${err}")
if(NOT OUT_DIR)
  return()
endif()
file(GLOB_RECURSE svgs "${OUT_DIR}/*.svg")
foreach(svg IN LISTS svgs)
  file(COPY "${svg}" DESTINATION "${FIGURES}")
endforeach()
