# compare_doc.cmake — checks (or rewrites) a generated documentation page.
#
#   cmake -DTOOL=<generator> -DDOC=<committed page> -P compare_doc.cmake
#       runs the generator and fails, showing the difference, unless its
#       output equals the committed page byte for byte (ctest docs.lifecycle)
#   cmake -DTOOL=<generator> -DDOC=<page> -DWRITE=ON -P compare_doc.cmake
#       rewrites the page from the generator's output (target lifecycle-doc)
#
# The generator's output goes to a file in the current directory first, so
# that it is compared as bytes, never through a CMake string.
cmake_minimum_required(VERSION 3.20)

if(NOT DEFINED TOOL OR NOT DEFINED DOC)
  message(FATAL_ERROR "usage: cmake -DTOOL=<generator> -DDOC=<page> [-DWRITE=ON] -P compare_doc.cmake")
endif()

get_filename_component(doc_name "${DOC}" NAME)
set(generated "${CMAKE_CURRENT_BINARY_DIR}/${doc_name}.generated")

execute_process(COMMAND "${TOOL}"
  OUTPUT_FILE "${generated}"
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${TOOL} failed (${rc})")
endif()

if(WRITE)
  execute_process(COMMAND "${CMAKE_COMMAND}" -E copy_if_different
    "${generated}" "${DOC}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "could not write ${DOC}")
  endif()
  message(STATUS "wrote ${DOC}")
  return()
endif()

if(NOT EXISTS "${DOC}")
  set(diff_rc 1)
  set(diff_text "${DOC} does not exist\n")
else()
  execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${DOC}" "${generated}"
    RESULT_VARIABLE diff_rc)
  set(diff_text "")
  if(NOT diff_rc EQUAL 0)
    find_program(DIFF_PROGRAM diff)
    if(DIFF_PROGRAM)
      execute_process(COMMAND "${DIFF_PROGRAM}" -u "${DOC}" "${generated}"
        OUTPUT_VARIABLE diff_text)
    endif()
  endif()
endif()

if(NOT diff_rc EQUAL 0)
  message("${diff_text}")
  message(FATAL_ERROR
    "${DOC} differs from what ${TOOL} prints: the page is generated from "
    "lib/lifecycle.c and must not be edited by hand. Regenerate it with\n"
    "  build/<dir>/tests/tools/lifecycle_doc > docs/lifecycle.md\n"
    "here:\n"
    "  \"${TOOL}\" > \"${DOC}\"\n"
    "or: cmake --build build/<dir> --target lifecycle-doc")
endif()
message(STATUS "${DOC} is up to date")
