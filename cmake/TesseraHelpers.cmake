# Helpers for declaring Tessera targets, in the spirit of abseil's
# AbseilHelpers.cmake: one library per module, dependencies PRIVATE unless a
# public header exposes them, warnings as errors for our own code.

# The fuzz and sanitizer configurations build with other compilers and
# flags, whose extra warnings should not stop them: they turn it off.
option(TESSERA_WERROR "Treat warnings as errors" ON)
if(TESSERA_WERROR)
  set(TESSERA_WARNINGS -Wall -Wextra -Werror -Werror=unused-result)
else()
  set(TESSERA_WARNINGS -Wall -Wextra)
endif()

# Each library exports only the headers it lists in HDRS: they are linked
# into an include root of its own under the build tree, and a target sees
# the roots of the libraries it links (PUBLIC ones transitively). Headers
# listed in SRCS are the library's private ones, visible to its own sources
# only. Including a header of a library one does not depend on fails to
# build, which keeps the dependency direction of DESIGN.md section 8 honest.
function(tessera_stage_headers root)
  file(REMOVE_RECURSE ${root})
  file(MAKE_DIRECTORY ${root})
  foreach(h ${ARGN})
    get_filename_component(abs ${h} ABSOLUTE)
    file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR} ${abs})
    get_filename_component(dir ${root}/${rel} DIRECTORY)
    file(MAKE_DIRECTORY ${dir})
    file(CREATE_LINK ${abs} ${root}/${rel} SYMBOLIC)
  endforeach()
endfunction()

# tessera_cc_library(NAME name SRCS ... HDRS ... DEPS ... PUBLIC_DEPS ...)
# DEPS are private to the library; list in PUBLIC_DEPS only what its
# headers expose.
function(tessera_cc_library)
  cmake_parse_arguments(T "" "NAME" "SRCS;HDRS;DEPS;PUBLIC_DEPS" ${ARGN})
  set(public_root ${CMAKE_BINARY_DIR}/include/${T_NAME})
  tessera_stage_headers(${public_root} ${T_HDRS})
  if(T_SRCS)
    set(private_headers ${T_SRCS})
    list(FILTER private_headers INCLUDE REGEX "\\.h$")
    set(private_root ${CMAKE_BINARY_DIR}/include_private/${T_NAME})
    tessera_stage_headers(${private_root} ${private_headers})
    add_library(${T_NAME} STATIC ${T_SRCS} ${T_HDRS})
    target_compile_options(${T_NAME} PRIVATE ${TESSERA_WARNINGS})
    target_include_directories(${T_NAME} PUBLIC ${public_root}
                               PRIVATE ${private_root})
    target_link_libraries(${T_NAME} PUBLIC ${T_PUBLIC_DEPS} PRIVATE ${T_DEPS})
  else()
    add_library(${T_NAME} INTERFACE)
    target_include_directories(${T_NAME} INTERFACE ${public_root})
    target_link_libraries(${T_NAME} INTERFACE ${T_PUBLIC_DEPS} ${T_DEPS})
  endif()
endfunction()

# tessera_cc_test(NAME name SRCS ... DEPS ... [LABELS ...])
# Builds a GoogleTest binary and registers it with ctest.
function(tessera_cc_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SRCS})
  target_compile_options(${T_NAME} PRIVATE ${TESSERA_WARNINGS})
  target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS} GTest::gmock GTest::gtest_main)
  target_compile_definitions(${T_NAME} PRIVATE
    TESSERA_SHARED_DIR="${TESSERA_SHARED_DIR}"
    TESSERA_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    TESSERA_BINARY_DIR="${CMAKE_BINARY_DIR}")
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT})
  if(T_LABELS)
    set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()

# tessera_cc_binary(NAME name SRCS ... DEPS ...)
function(tessera_cc_binary)
  cmake_parse_arguments(T "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${T_NAME} ${T_SRCS})
  target_compile_options(${T_NAME} PRIVATE ${TESSERA_WARNINGS})
  target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR})
  target_link_libraries(${T_NAME} PRIVATE ${T_DEPS})
endfunction()

# tessera_proto_library(NAME name PROTOS ... [GRPC] [DEPS ...] [IMPORT_DIRS ...])
# Generates C++ (and gRPC stubs with GRPC) into the build tree and wraps them
# in one static library. Generated code is never compiled with -Werror.
function(tessera_proto_library)
  cmake_parse_arguments(T "GRPC" "NAME;ROOT" "PROTOS;DEPS;IMPORT_DIRS" ${ARGN})
  if(NOT T_ROOT)
    set(T_ROOT ${CMAKE_CURRENT_SOURCE_DIR})
  endif()
  set(out ${CMAKE_CURRENT_BINARY_DIR}/gen)
  file(MAKE_DIRECTORY ${out})
  set(srcs)
  set(includes -I${T_ROOT})
  foreach(d ${T_IMPORT_DIRS})
    list(APPEND includes -I${d})
  endforeach()
  foreach(p ${T_PROTOS})
    get_filename_component(abs ${p} ABSOLUTE)
    file(RELATIVE_PATH rel ${T_ROOT} ${abs})
    string(REGEX REPLACE "\\.proto$" "" base ${rel})
    set(gen ${out}/${base}.pb.cc ${out}/${base}.pb.h)
    set(cmd_args --cpp_out=${out})
    if(T_GRPC)
      list(APPEND gen ${out}/${base}.grpc.pb.cc ${out}/${base}.grpc.pb.h)
      list(APPEND cmd_args --grpc_out=${out}
           --plugin=protoc-gen-grpc=${TESSERA_GRPC_CPP_PLUGIN})
    endif()
    add_custom_command(
      OUTPUT ${gen}
      COMMAND ${TESSERA_PROTOC} ${includes} ${cmd_args} ${abs}
      DEPENDS ${abs} ${TESSERA_PROTOC}
      COMMENT "protoc ${rel}"
      VERBATIM)
    list(APPEND srcs ${gen})
  endforeach()
  add_library(${T_NAME} STATIC ${srcs})
  target_include_directories(${T_NAME} PUBLIC ${out})
  target_link_libraries(${T_NAME} PUBLIC protobuf::libprotobuf ${T_DEPS})
  if(T_GRPC)
    target_link_libraries(${T_NAME} PUBLIC gRPC::grpc++)
  endif()
endfunction()
