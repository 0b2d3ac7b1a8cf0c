# librdy, the runtime.  Included from the top-level CMakeLists.txt once
# RDY_ABI_SOURCES and RDY_MODEL_SOURCES are set.
#
#   rdyrt         librdy.so.0: exports the functions of include/rdy.h, no other
#   rdyrt_static  librdy.a: the same, with the descriptor decoder and the
#                 checker inside, so a static host needs no other archive of
#                 this tree
#
# Neither links the WIT parser: a descriptor is all the runtime reads.

find_package(Threads REQUIRED)
file(GLOB RDY_RT_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.c)

# -fvisibility=hidden leaves only RDY_API (src/rt/rt.h) visible; the archives
# linked into librdy.so were built without it, so --exclude-libs hides theirs.
add_library(rdyrt SHARED ${RDY_RT_SOURCES})
target_link_libraries(rdyrt PRIVATE rdyabi PkgConfig::LIBELF PkgConfig::XXHASH PkgConfig::LIBCRYPTO
                      Threads::Threads ${CMAKE_DL_LIBS})
target_link_options(rdyrt PRIVATE LINKER:--exclude-libs,ALL)
if(NOT RDY_SANITIZE)
  # Every dependency recorded; sanitizer runtimes come from the executable instead.
  target_link_options(rdyrt PRIVATE LINKER:--no-undefined)
endif()
set_target_properties(rdyrt PROPERTIES
  OUTPUT_NAME rdy
  VERSION ${PROJECT_VERSION}
  SOVERSION 0
  C_VISIBILITY_PRESET hidden)

# The install export may only name exported or imported targets in an
# archive's link interface, hence the sources of rdyabi and rdymodel here.
add_library(rdyrt_static STATIC ${RDY_RT_SOURCES} ${RDY_ABI_SOURCES} ${RDY_MODEL_SOURCES})
target_include_directories(rdyrt_static PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(rdyrt_static PRIVATE PkgConfig::LIBELF PkgConfig::XXHASH PkgConfig::LIBCRYPTO
                      Threads::Threads ${CMAKE_DL_LIBS})
set_target_properties(rdyrt_static PROPERTIES
  OUTPUT_NAME rdy
  C_VISIBILITY_PRESET hidden)

foreach(_rdy_rt rdyrt rdyrt_static)
  target_include_directories(${_rdy_rt} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>)
endforeach()
