# Helpers shared by every chapter: warnings, sanitizers, the shared torch precompiled header and
# the one-line way to add a chapter program.

# Flags every target gets. They must be the same on every target that reuses the precompiled
# header, so they are set here once, for the whole tree.
add_compile_options(-Wall -Wextra)
if(BOOK_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# book_use_torch_pch(<target>): compile <target> with the one torch precompiled header that the
# target book_pch builds. Every torch translation unit then skips re-parsing <torch/torch.h>.
function(book_use_torch_pch target)
  target_precompile_headers(${target} REUSE_FROM book_pch)
endfunction()

# book_add_program(<name> <source> [LIBS ...]): one numbered chapter program.
# Builds bin/<name>, links the chapter's library and common/, and records the program so that the
# docs and the tests can check that it has a page and a test.
function(book_add_program name source)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} book::common)
  book_use_torch_pch(${name})
  # A program's file is glue (flags, calls into lib/, printing); its loops live in lib/ and common/,
  # which keep -O3. -O2 (last on the command line, so it wins) cuts the rebuild after editing a
  # program by about 2 s of the compiler's optimisation passes (main.cpp: 13.2 s -> 11.0 s).
  target_compile_options(${name} PRIVATE $<$<CONFIG:Release>:-O2>)
  set_property(GLOBAL APPEND PROPERTY BOOK_PROGRAMS ${name})
  set_property(GLOBAL APPEND PROPERTY BOOK_PROGRAM_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/${source})
endfunction()
