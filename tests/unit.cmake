# unit.cmake — the Check suites, one per lib/ file, and the shared
# fault-injection harness (fault.c). Included by tests/CMakeLists.txt.
#
# Suites that use only the public API link the shared library, as an
# integrator would; test_codec and test_util reach internals (lib/internal.h)
# and link the static library, which exposes lib/ as an include directory.
# ctest runs each suite as one test, unit.<file>, so a failure names the file.
find_package(PkgConfig REQUIRED)
pkg_check_modules(CHECK REQUIRED IMPORTED_TARGET check)

# The harness calls only public functions; it links no libpowersvc itself, so
# that each suite links exactly one copy of the library (shared or static).
add_library(psvc_fault STATIC ${CMAKE_CURRENT_SOURCE_DIR}/fault.c)
target_include_directories(psvc_fault PUBLIC
  ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/include)
target_compile_options(psvc_fault PRIVATE ${PSVC_WARNINGS})
target_link_libraries(psvc_fault PUBLIC PkgConfig::CHECK)

function(psvc_unit_suite name library)
  add_executable(test_${name} ${CMAKE_CURRENT_SOURCE_DIR}/test_${name}.c)
  target_compile_options(test_${name} PRIVATE ${PSVC_WARNINGS})
  target_link_libraries(test_${name} PRIVATE psvc_fault ${library} PkgConfig::CHECK)
  add_test(NAME unit.${name} COMMAND test_${name})
  set_tests_properties(unit.${name} PROPERTIES TIMEOUT 600 LABELS unit)
endfunction()

# One suite per lib/ file. A suite whose file is not in the tree yet (work
# in progress elsewhere) is skipped rather than breaking the configure.
set(PSVC_UNIT_SUITES
  ctx:powersvc enums:powersvc customer:powersvc codec:powersvc_static
  util:powersvc_static lifecycle:powersvc order:powersvc calendar:powersvc
  calparse:powersvc sla:powersvc boundary:powersvc txn:powersvc journal:powersvc
  call:powersvc notice:powersvc report:powersvc)
foreach(entry ${PSVC_UNIT_SUITES})
  string(REPLACE ":" ";" parts ${entry})
  list(GET parts 0 suite)
  list(GET parts 1 lib)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/test_${suite}.c)
    psvc_unit_suite(${suite} ${lib})
  endif()
endforeach()
