# Proves that book_pages check can fail: runs it on tests/fixtures/book_pages (pages made wrong on
# purpose, with the book's own docs/notation.tsv and docs/terms.tsv) and fails unless every planted
# mistake is reported, then brings the stale page in step with `book_pages sync` and checks that
# the staleness report is gone.
#   cmake -DTOOL=<book_pages> -DFIXTURES=<tests/fixtures/book_pages> -P check_book_pages_selftest.cmake
get_filename_component(root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
string(RANDOM LENGTH 8 tag)
set(work "${CMAKE_CURRENT_BINARY_DIR}/book_pages_selftest_${tag}")
file(REMOVE_RECURSE "${work}")
file(COPY "${FIXTURES}/" DESTINATION "${work}")
file(COPY "${root}/docs/notation.tsv" "${root}/docs/terms.tsv" DESTINATION "${work}/docs")

function(run_check out_var rc_var)
  execute_process(COMMAND "${TOOL}" check --docs "${work}/docs" --outputs "${work}/none" --facts "${work}/runs"
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  set(${out_var} "${out}${err}" PARENT_SCOPE)
  set(${rc_var} "${rc}" PARENT_SCOPE)
endfunction()

run_check(out rc)
message(STATUS "book_pages check on the planted mistakes:\n${out}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "expected exit code 1, got ${rc}")
endif()
set(expected
  # numbers
  "pages/index.md:5: '0.35 s' is typed by hand"
  "pages/index.md:9: .*the run recorded no fact 'missing'"
  "pages/index.md:11: .*'9.99', which the run's printed output does not show"
  # notation
  "pages/index.md:13: '\\[x_t, h_\\{t-1\\}\\]': the book joins the state first"
  "pages/index.md:13: '.C_t': the cell state is lower-case"
  # parity
  "docs/zh/pages/index.md: item 6 differs: English has '.snippet chapters/demo.cpp second'"
  "docs/zh/pages/orphan.md: has no English page"
  # staleness
  "docs/zh/programs/01_demo.md: stale: docs/programs/01_demo.md changed"
  "docs/zh/pages/index.md: records no English version"
  # terms
  "zh/pages/index.md:7: '隐藏状态': the book's term is '隐状态'")
foreach(pattern IN LISTS expected)
  if(NOT out MATCHES "${pattern}")
    message(FATAL_ERROR "the check did not report: ${pattern}")
  endif()
endforeach()
# What is right must not be reported.
foreach(fine "index.md:3:" "index.md:7: '50 %'" "zh/pages/index.md:7: '\\[h_")
  if(out MATCHES "${fine}")
    message(FATAL_ERROR "the check reported something that is right: ${fine}")
  endif()
endforeach()

execute_process(COMMAND "${TOOL}" sync --docs "${work}/docs" "${work}/docs/zh/programs/01_demo.md" RESULT_VARIABLE rc)
run_check(out rc)
if(out MATCHES "01_demo.md: stale")
  message(FATAL_ERROR "after book_pages sync the page is still reported stale:\n${out}")
endif()
file(REMOVE_RECURSE "${work}")
message(STATUS "every planted mistake was reported")
