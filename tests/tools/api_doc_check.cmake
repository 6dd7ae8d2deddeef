# api_doc_check.cmake — checks that docs/api.md documents every public
# function of include/powersvc.h, and nothing else (ctest docs.api).
#
#   cmake -DHEADER=include/powersvc.h -DDOC=docs/api.md -P api_doc_check.cmake
#
# The public functions are the declarations `PSVC_API <type> <name>(...);`
# of the header (a declaration may span lines; the type may end in stars).
# A function is documented by a level-3 heading of exactly this form:
#
#   ### `psvc_name`
#
# whose section (the lines up to the next heading of level 1 to 3; lines
# inside ``` fences are never headings) holds
#   - a ```c block with the function's prototype as the header declares it
#     (compared with whitespace normalised, so it may be wrapped differently),
#   - an "Errors" part: a line starting with **Errors.
#
# The check fails, listing every problem, when
#   (a) a public function has no heading,
#   (b) a heading names no public function (or is a malformed `###` heading
#       that mentions psvc_, or a function has two headings),
#   (c) a function's section has no ```c block, no Errors part, or a
#       prototype that differs from the header's.
cmake_minimum_required(VERSION 3.20)

if(NOT DEFINED HEADER OR NOT DEFINED DOC)
  message(FATAL_ERROR "usage: cmake -DHEADER=<powersvc.h> -DDOC=<api.md> -P api_doc_check.cmake")
endif()
foreach(f IN ITEMS "${HEADER}" "${DOC}")
  if(NOT EXISTS "${f}")
    message(FATAL_ERROR "api_doc_check: ${f} does not exist")
  endif()
endforeach()

# One canonical spelling of a declaration: whitespace runs collapsed, no
# blanks around * ( ) and commas.
function(psvc_norm out s)
  string(REGEX REPLACE "[ \t\r\n]+" " " s "${s}")
  string(REGEX REPLACE " ?([*(),]) ?" "\\1" s "${s}")
  string(STRIP "${s}" s)
  set(${out} "${s}" PARENT_SCOPE)
endfunction()

# `PSVC_API <type> <name>(<parameters>` up to, not including, the ';' (so
# that the matches can be held in a CMake list).
set(decl_re "PSVC_API[ \t\r\n]+[A-Za-z_][A-Za-z0-9_ \t\r\n*]*[ \t\r\n*]psvc_[A-Za-z0-9_]+[ \t\r\n]*\\([^;]*")
set(name_re "(psvc_[A-Za-z0-9_]+)[ \t\r\n]*\\(")

# ---- the header's public functions --------------------------------------------
file(READ "${HEADER}" header_text)
string(REGEX MATCHALL "${decl_re}" header_decls "${header_text}")
set(public "")
foreach(decl IN LISTS header_decls)
  string(REGEX MATCH "${name_re}" m "${decl}")
  set(name "${CMAKE_MATCH_1}")
  if(DEFINED PROTO_${name})
    message(FATAL_ERROR "api_doc_check: ${name} is declared twice in ${HEADER}")
  endif()
  psvc_norm(PROTO_${name} "${decl}")
  list(APPEND public "${name}")
endforeach()
list(LENGTH public npublic)
if(npublic EQUAL 0)
  message(FATAL_ERROR "api_doc_check: no PSVC_API function found in ${HEADER}")
endif()

# ---- the document's headings and sections -------------------------------------
# Characters that CMake's list handling would interpret are masked while the
# text is split into lines, and restored where a section's text is examined.
file(READ "${DOC}" doc_text)
string(REPLACE "\\" "@PSVC_BS@" doc_text "${doc_text}")
string(REPLACE ";" "@PSVC_SC@" doc_text "${doc_text}")
string(REPLACE "[" "@PSVC_LB@" doc_text "${doc_text}")
string(REPLACE "]" "@PSVC_RB@" doc_text "${doc_text}")
string(REPLACE "\n" ";" doc_lines "${doc_text}")

set(problems "")
set(documented "")
set(current "")   # the function whose section is being read, or ""
set(in_fence FALSE)
set(lineno 0)

# Ends the section of `current`: records what it lacks.
macro(psvc_end_section)
  if(NOT current STREQUAL "")
    if(NOT HASC_${current})
      list(APPEND problems "(c) ${DOC}:${HEADLINE_${current}}: `${current}` has no ```c block with its prototype")
    endif()
    if(NOT HASERR_${current})
      list(APPEND problems "(c) ${DOC}:${HEADLINE_${current}}: `${current}` has no Errors part (a line starting with **Errors)")
    endif()
    if(HASC_${current} AND DEFINED PROTO_${current})
      set(sec "${CODE_${current}}")
      string(REPLACE "@PSVC_SC@" ";" sec "${sec}")
      string(REPLACE "@PSVC_LB@" "[" sec "${sec}")
      string(REPLACE "@PSVC_RB@" "]" sec "${sec}")
      string(REPLACE "@PSVC_BS@" "\\" sec "${sec}")
      string(REGEX MATCHALL "${decl_re}" sec_decls "${sec}")
      set(found FALSE)
      foreach(d IN LISTS sec_decls)
        string(REGEX MATCH "${name_re}" m "${d}")
        if(CMAKE_MATCH_1 STREQUAL current)
          psvc_norm(dn "${d}")
          if(dn STREQUAL PROTO_${current})
            set(found TRUE)
          else()
            list(APPEND problems "(c) ${DOC}:${HEADLINE_${current}}: the prototype of `${current}` differs from the header's:\n      doc:    ${dn}\n      header: ${PROTO_${current}}")
            set(found TRUE)
          endif()
        endif()
      endforeach()
      if(NOT found)
        list(APPEND problems "(c) ${DOC}:${HEADLINE_${current}}: the ```c block of `${current}` does not hold its prototype (PSVC_API ... ${current}(...))")
      endif()
    endif()
  endif()
  set(current "")
endmacro()

set(code_lang "")
foreach(line IN LISTS doc_lines)
  math(EXPR lineno "${lineno} + 1")
  if(line MATCHES "^```")
    if(in_fence)
      set(in_fence FALSE)
    else()
      set(in_fence TRUE)
      set(code_lang "${line}")
      if(NOT current STREQUAL "" AND line MATCHES "^```c[ \t\r]*$")
        set(HASC_${current} TRUE)
      endif()
    endif()
    continue()
  endif()
  if(in_fence)
    if(NOT current STREQUAL "" AND code_lang MATCHES "^```c[ \t\r]*$")
      string(APPEND CODE_${current} "${line}\n")
    endif()
    continue()
  endif()
  if(line MATCHES "^#(#?#?)[ \t]")
    psvc_end_section()
    if(line MATCHES "^###[ \t]" AND line MATCHES "psvc_")
      if(line MATCHES "^### `(psvc_[A-Za-z0-9_]+)`[ \t\r]*$")
        set(name "${CMAKE_MATCH_1}")
        if(NOT DEFINED PROTO_${name})
          list(APPEND problems "(b) ${DOC}:${lineno}: heading `${name}` names no PSVC_API function of ${HEADER}")
        elseif(DEFINED HEADLINE_${name})
          list(APPEND problems "(b) ${DOC}:${lineno}: `${name}` has a second heading (the first is on line ${HEADLINE_${name}})")
        else()
          set(HEADLINE_${name} ${lineno})
          set(HASC_${name} FALSE)
          set(HASERR_${name} FALSE)
          set(CODE_${name} "")
          list(APPEND documented "${name}")
          set(current "${name}")
        endif()
      else()
        string(STRIP "${line}" shown)
        list(APPEND problems "(b) ${DOC}:${lineno}: malformed heading '${shown}' (expected ### `psvc_name`)")
      endif()
    endif()
    continue()
  endif()
  if(NOT current STREQUAL "" AND line MATCHES "^\\*\\*Errors")
    set(HASERR_${current} TRUE)
  endif()
endforeach()
psvc_end_section()
if(in_fence)
  list(APPEND problems "${DOC}: a ``` fence is not closed")
endif()

# ---- (a) public functions without a heading ------------------------------------
foreach(name IN LISTS public)
  if(NOT DEFINED HEADLINE_${name})
    list(APPEND problems "(a) `${name}` (${HEADER}) has no heading ### `${name}` in ${DOC}")
  endif()
endforeach()

list(LENGTH documented ndocumented)
list(LENGTH problems nproblems)
if(nproblems GREATER 0)
  set(report "")
  foreach(p IN LISTS problems)
    string(REPLACE "@PSVC_SC@" ";" p "${p}")
    string(REPLACE "@PSVC_LB@" "[" p "${p}")
    string(REPLACE "@PSVC_RB@" "]" p "${p}")
    string(REPLACE "@PSVC_BS@" "\\" p "${p}")
    string(APPEND report "  ${p}\n")
  endforeach()
  message(FATAL_ERROR
    "docs/api.md is out of step with include/powersvc.h: ${nproblems} problem(s)\n"
    "${report}"
    "Every PSVC_API function needs a section in docs/api.md headed ### `psvc_name`, "
    "with its prototype (copied from the header) in a ```c block and an **Errors** part.")
endif()
message(STATUS "docs/api.md documents all ${npublic} PSVC_API functions of powersvc.h")
