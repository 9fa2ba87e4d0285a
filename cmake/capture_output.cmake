# Runs one program for the docs and captures what it prints, as the reader would see it.
#   cmake -DPROGRAM=<exe> -DNAME=<shown name> -DARGS=<args separated by |> -DOUTPUT=<txt>
#         -DOUT_DIR=<program's --out_dir> -DFIGURES=<folder for its SVGs> -P capture_output.cmake
# The run must succeed. Its stdout and stderr go to OUTPUT after a "$ command" line; every SVG it
# wrote under OUT_DIR is copied into FIGURES for the pages to show.
string(REPLACE "|" ";" args "${ARGS}")
file(REMOVE_RECURSE "${OUT_DIR}")
execute_process(
  COMMAND "${PROGRAM}" ${args} --out_dir "${OUT_DIR}"
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc
  TIMEOUT 600)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "docs: '${NAME} ${args}' failed (${rc}):\n${out}\n${err}")
endif()
string(REPLACE ";" " " shown "${args}")
# Paths of the build machine mean nothing to a reader: show them relative to the build tree.
string(REPLACE "${OUT_DIR}" "<out_dir>" out "${out}")
string(REPLACE "${OUT_DIR}" "<out_dir>" err "${err}")
file(WRITE "${OUTPUT}" "$ ${NAME} ${shown}\n${out}${err}")
file(GLOB_RECURSE svgs "${OUT_DIR}/*.svg")
foreach(svg IN LISTS svgs)
  file(COPY "${svg}" DESTINATION "${FIGURES}")
endforeach()
