# Installation and the exported package (docs/packaging.md).  Included from
# the top-level CMakeLists.txt after every target is defined.
#
#   bin/rdy                              the CLI                rdy::cli
#   lib/librdy.so.0, lib/librdy.a        the runtime            rdy::rdy, rdy::rdy_static
#   include/rdy.h, include/rdy/*.h       the headers            rdy::headers
#   lib/cmake/rdy/                       rdyConfig.cmake, its version file, the
#                                        targets and RdyGenerate.cmake
#   lib/pkgconfig/rdy.pc                 for builds without CMake
#
# The same rdy:: names exist inside this tree as aliases, so the functions of
# RdyGenerate.cmake and any project that adds this one as a subdirectory use
# one spelling whether rdylib is installed or not.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Where the CMake package goes, relative to the prefix; -D overrides it.  Not
# a cache entry, so that it follows CMAKE_INSTALL_LIBDIR when the prefix (and
# with it the library directory) changes.
if(NOT DEFINED RDY_INSTALL_CMAKEDIR)
  set(RDY_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/rdy)
endif()

# The public headers, alone: what a plugin needs (include/rdy/abi.h declares
# data only, so a plugin links nothing but libc).  The build-tree path must
# not leak into the installed package, hence the two interfaces.
add_library(rdy_headers INTERFACE)
target_include_directories(rdy_headers INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
set_target_properties(rdy_headers PROPERTIES EXPORT_NAME headers)
add_library(rdy::headers ALIAS rdy_headers)

set_target_properties(rdy PROPERTIES EXPORT_NAME cli)
add_executable(rdy::cli ALIAS rdy)
set(_rdy_export_targets rdy rdy_headers)

# The runtime targets come from src/rt/rt.cmake, which may not exist yet:
# without them the CLI and the headers are still installed.
foreach(_rdy_rt IN ITEMS rdyrt rdyrt_static)
  if(NOT TARGET ${_rdy_rt})
    continue()
  endif()
  # An installed target must not name directories of this tree: keep its
  # include directories for the build tree only, and give consumers the
  # installed headers through rdy::headers.  set_property rather than
  # target_link_libraries, which would clash with whichever signature
  # rt.cmake used.
  get_target_property(_rdy_inc ${_rdy_rt} INTERFACE_INCLUDE_DIRECTORIES)
  if(_rdy_inc)
    set(_rdy_build_inc)
    foreach(_rdy_dir IN LISTS _rdy_inc)
      if(_rdy_dir MATCHES "^\\$<")
        list(APPEND _rdy_build_inc "${_rdy_dir}")
      else()
        list(APPEND _rdy_build_inc "$<BUILD_INTERFACE:${_rdy_dir}>")
      endif()
    endforeach()
    set_property(TARGET ${_rdy_rt} PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${_rdy_build_inc}")
  endif()
  set_property(TARGET ${_rdy_rt} APPEND PROPERTY INTERFACE_LINK_LIBRARIES rdy_headers)
  list(APPEND _rdy_export_targets ${_rdy_rt})
endforeach()
if(TARGET rdyrt)
  set_target_properties(rdyrt PROPERTIES EXPORT_NAME rdy)
  add_library(rdy::rdy ALIAS rdyrt)
endif()
if(TARGET rdyrt_static)
  set_target_properties(rdyrt_static PROPERTIES EXPORT_NAME rdy_static)
  add_library(rdy::rdy_static ALIAS rdyrt_static)
endif()

install(TARGETS ${_rdy_export_targets} EXPORT rdyTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# Every public header, so that headers added beside rdy.h and rdy/abi.h for
# the generated code are installed without touching this file.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")

# The WIT packages rdylib defines, for a world's deps/: rdy:reload (docs/abi.md §7.5).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/wit/ DESTINATION ${CMAKE_INSTALL_DATADIR}/rdy/wit)
install(EXPORT rdyTargets NAMESPACE rdy:: DESTINATION ${RDY_INSTALL_CMAKEDIR})

# rdyConfig.cmake finds its prefix from its own location (PACKAGE_PREFIX_DIR),
# so the installed tree can be moved, or staged under DESTDIR, and still work.
set(RDY_CONFIG_HAS_RUNTIME OFF)
if(TARGET rdyrt)
  set(RDY_CONFIG_HAS_RUNTIME ON)
endif()
set(RDY_CONFIG_HAS_STATIC OFF)
if(TARGET rdyrt_static)
  set(RDY_CONFIG_HAS_STATIC ON)
endif()
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/rdyConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/rdyConfig.cmake
  INSTALL_DESTINATION ${RDY_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR)
# 0.x: a minor release may break the API, so only 0.1.z satisfies a request
# for 0.1.  From 1.0 on this becomes SameMajorVersion.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_rdy_compat SameMinorVersion)
else()
  set(_rdy_compat SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/rdyConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY ${_rdy_compat})
install(FILES
  ${PROJECT_BINARY_DIR}/cmake/rdyConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/rdyConfigVersion.cmake
  ${CMAKE_CURRENT_LIST_DIR}/RdyGenerate.cmake
  DESTINATION ${RDY_INSTALL_CMAKEDIR})

# rdy.pc is written at install time, not configure time: `cmake --install
# --prefix P` (and `make install PREFIX=P`) must give a file that names P,
# not the prefix the build was configured with.  install-pc.cmake runs inside
# cmake_install.cmake and sees the variables set just before it.
if(RDY_CONFIG_HAS_RUNTIME)
  install(CODE "
    set(RDY_PC_IN \"${CMAKE_CURRENT_LIST_DIR}/rdy.pc.in\")
    set(RDY_PC_OUT \"${PROJECT_BINARY_DIR}/cmake/rdy.pc\")
    set(RDY_PC_LIBDIR \"${CMAKE_INSTALL_LIBDIR}\")
    set(RDY_PC_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
    set(RDY_PC_VERSION \"${PROJECT_VERSION}\")")
  install(SCRIPT ${CMAKE_CURRENT_LIST_DIR}/install-pc.cmake)
endif()

# The functions, for this tree's own tests and for projects that include it.
include(${CMAKE_CURRENT_LIST_DIR}/RdyGenerate.cmake)
