# Writes and installs rdy.pc at install time, from install.cmake's
# install(SCRIPT).  RDY_PC_IN, RDY_PC_OUT, RDY_PC_LIBDIR, RDY_PC_INCLUDEDIR
# and RDY_PC_VERSION come from the install(CODE) just before; the prefix is the
# one of this install, so `cmake --install --prefix P` gives a file naming P.
# A relative directory is written under ${prefix}, as pkg-config users expect
# when they override the prefix (--define-prefix, PKG_CONFIG_SYSROOT_DIR).

set(RDY_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(_rdy_pc_dest "${RDY_PC_LIBDIR}/pkgconfig")
foreach(_rdy_var RDY_PC_LIBDIR RDY_PC_INCLUDEDIR)
  if(NOT IS_ABSOLUTE "${${_rdy_var}}")
    set(${_rdy_var} "\${prefix}/${${_rdy_var}}")
  endif()
endforeach()
if(NOT IS_ABSOLUTE "${_rdy_pc_dest}")
  set(_rdy_pc_dest "${CMAKE_INSTALL_PREFIX}/${_rdy_pc_dest}")
endif()
configure_file("${RDY_PC_IN}" "${RDY_PC_OUT}" @ONLY)
# file(INSTALL) is what install(FILES) expands to: it honours DESTDIR and
# records the file in install_manifest.txt.
file(INSTALL DESTINATION "${_rdy_pc_dest}" TYPE FILE FILES "${RDY_PC_OUT}")
