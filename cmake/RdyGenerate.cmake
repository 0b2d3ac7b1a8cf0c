# C bindings from WIT, generated at build time by `rdy gen c` (docs/cli.md,
# docs/packaging.md).  Installed with the rdy package and loaded by
# find_package(rdy); inside the rdylib tree, cmake/install.cmake loads it.
#
#   rdy_generate(<out-var> WIT <path> WORLD <world> SIDE host|plugin
#                [FEATURES <a,b>...] [OUTPUT_DIR <dir>] [NAME <base>])
#       A custom command that writes <dir>/<base>.c and <dir>/<base>.h and
#       reruns when a .wit file under <path> or the rdy command changes;
#       <out-var> receives the two files.  Add them to a target defined in
#       the same directory, or nothing runs the command.
#
#   rdy_add_plugin(<target> WIT <path> WORLD <world> SOURCES <src>...
#                  [FEATURES <a,b>...] [OUTPUT_DIR <dir>] [NAME <base>] [SHARED])
#       A plugin: a MODULE library (SHARED with SHARED) named <target>.so,
#       without the `lib` prefix, from SOURCES and the plugin-side bindings,
#       exporting only its root symbol (hidden visibility).  It links
#       nothing but libc: only the headers of rdy::headers.
#
#   rdy_add_host_bindings(<target> WIT <path> WORLD <world>
#                         [FEATURES <a,b>...] [OUTPUT_DIR <dir>] [NAME <base>] [STATIC])
#       Adds the host-side bindings to an existing target, defined in the
#       same directory, and links it with the runtime, rdy::rdy (or
#       rdy::rdy_static with STATIC).
#
# <path> is a .wit file or a package directory, relative to the current
# source directory; <world> is any form `rdy gen c --world` takes.  <base>
# defaults to the world's name and the side, as rdy names it: the part of
# <world> after its last `/` and before any `@`, in lower case, with `-`
# turned into `_`, then `_host` or `_plugin` (example:shapes/plugin@1.2.0,
# host side: plugin_host).
# OUTPUT_DIR defaults to <build-dir>/rdy-gen, and for the two other functions
# to <build-dir>/rdy-gen/<target>, so that two plugins of one world in one
# directory do not write the same files.
#
# The rdy command run is RDY_EXECUTABLE when set (a full path or a target),
# else the target rdy::cli (imported by find_package(rdy), an alias inside the
# rdylib tree), else a target named rdy.

include_guard(GLOBAL)

# The command to run and what the custom command depends on for it: a target
# dependency when rdy is built in this project (so it is built first), the
# file otherwise.
function(_rdy_cli out_cmd out_dep)
  set(cli "")
  if(NOT "${RDY_EXECUTABLE}" STREQUAL "")
    if(TARGET "${RDY_EXECUTABLE}")
      set(cli "${RDY_EXECUTABLE}")
    elseif(NOT IS_ABSOLUTE "${RDY_EXECUTABLE}")
      # A bare name would become a file dependency relative to the build
      # directory, which make cannot find.
      message(FATAL_ERROR "rdy: RDY_EXECUTABLE must be a full path or a target, not `${RDY_EXECUTABLE}`")
    else()
      set(${out_cmd} "${RDY_EXECUTABLE}" PARENT_SCOPE)
      set(${out_dep} "${RDY_EXECUTABLE}" PARENT_SCOPE)
      return()
    endif()
  else()
    foreach(candidate IN ITEMS rdy::cli rdy)
      if(TARGET ${candidate})
        set(cli ${candidate})
        break()
      endif()
    endforeach()
  endif()
  if(NOT cli)
    message(FATAL_ERROR "rdy: no rdy command: call find_package(rdy), or set RDY_EXECUTABLE to its path")
  endif()
  get_target_property(aliased ${cli} ALIASED_TARGET)
  if(aliased)
    set(cli ${aliased})
  endif()
  set(${out_cmd} "$<TARGET_FILE:${cli}>" PARENT_SCOPE)
  get_target_property(imported ${cli} IMPORTED)
  if(imported)
    set(${out_dep} "$<TARGET_FILE:${cli}>" PARENT_SCOPE)
  else()
    set(${out_dep} ${cli} PARENT_SCOPE)
  endif()
endfunction()

# The first of CANDIDATES that is a target, or a fatal error naming WHAT.
function(_rdy_pick_target out what)
  foreach(candidate IN LISTS ARGN)
    if(TARGET ${candidate})
      set(${out} ${candidate} PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(FATAL_ERROR "rdy: ${what}: none of the targets ${ARGN} exists; call find_package(rdy)")
endfunction()

# The caller's arguments as cmake_parse_arguments left them (a function sees
# its caller's variables): none left over, and each of ARGN given.
function(_rdy_check_args fn)
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${fn}: unexpected arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(arg_KEYWORDS_MISSING_VALUES)
    message(FATAL_ERROR "${fn}: no value after ${arg_KEYWORDS_MISSING_VALUES}")
  endif()
  # Compared with "", not tested for truth: a world may well be named `no`.
  foreach(kw IN LISTS ARGN)
    if("${arg_${kw}}" STREQUAL "")
      message(FATAL_ERROR "${fn}: ${kw} is required")
    endif()
  endforeach()
endfunction()

function(rdy_generate out_var)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "WIT;WORLD;SIDE;OUTPUT_DIR;NAME" "FEATURES")
  _rdy_check_args(rdy_generate WIT WORLD SIDE)
  if(NOT arg_SIDE MATCHES "^(host|plugin)$")
    message(FATAL_ERROR "rdy_generate: SIDE must be host or plugin, not `${arg_SIDE}`")
  endif()

  get_filename_component(wit "${arg_WIT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(IS_DIRECTORY "${wit}")
    # rdy reads the directory's *.wit and the packages of its deps/, at any
    # depth: all of them are inputs.  CONFIGURE_DEPENDS notices a new file.
    file(GLOB_RECURSE wit_files CONFIGURE_DEPENDS "${wit}/*.wit")
  elseif(EXISTS "${wit}")
    set(wit_files "${wit}")
  else()
    message(FATAL_ERROR "rdy_generate: WIT `${arg_WIT}` does not exist (${wit})")
  endif()

  # The name rdy would choose; it is passed anyway, so that the outputs
  # declared here are the files rdy writes whatever its default becomes.
  if(NOT "${arg_NAME}" STREQUAL "")
    set(base "${arg_NAME}")
  else()
    string(REGEX REPLACE "@.*$" "" base "${arg_WORLD}")
    string(REGEX REPLACE "^.*/" "" base "${base}")
    string(REGEX REPLACE "^%" "" base "${base}")
    string(REPLACE "-" "_" base "${base}")
    string(TOLOWER "${base}" base)
    set(base "${base}_${arg_SIDE}")
  endif()

  if(NOT "${arg_OUTPUT_DIR}" STREQUAL "")
    get_filename_component(dir "${arg_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  else()
    set(dir "${CMAKE_CURRENT_BINARY_DIR}/rdy-gen")
  endif()

  # FEATURES a b and FEATURES a,b mean the same.
  list(JOIN arg_FEATURES "," features)
  set(features_args)
  if(NOT features STREQUAL "")
    set(features_args --features "${features}")
  endif()

  _rdy_cli(cli cli_dep)
  set(outputs "${dir}/${base}.c" "${dir}/${base}.h")
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${dir}"
    COMMAND "${cli}" gen c "${wit}" --world "${arg_WORLD}" --side ${arg_SIDE}
            -o "${dir}" --name "${base}" ${features_args}
    DEPENDS ${wit_files} ${cli_dep}
    COMMENT "rdy gen c: ${arg_SIDE} side of ${arg_WORLD} -> ${base}.c, ${base}.h"
    VERBATIM)
  set(${out_var} ${outputs} PARENT_SCOPE)
endfunction()

# The options rdy_add_plugin and rdy_add_host_bindings pass on to
# rdy_generate, from their arg_* variables, in OUT; DIR gets the output
# directory.
function(_rdy_forward out dir target)
  set(fwd WIT "${arg_WIT}" WORLD "${arg_WORLD}")
  if(NOT "${arg_NAME}" STREQUAL "")
    list(APPEND fwd NAME "${arg_NAME}")
  endif()
  if(arg_FEATURES)
    list(APPEND fwd FEATURES ${arg_FEATURES})
  endif()
  if(NOT "${arg_OUTPUT_DIR}" STREQUAL "")
    get_filename_component(d "${arg_OUTPUT_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  else()
    set(d "${CMAKE_CURRENT_BINARY_DIR}/rdy-gen/${target}")
  endif()
  list(APPEND fwd OUTPUT_DIR "${d}")
  set(${out} "${fwd}" PARENT_SCOPE)
  set(${dir} "${d}" PARENT_SCOPE)
endfunction()

function(rdy_add_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "SHARED" "WIT;WORLD;OUTPUT_DIR;NAME" "SOURCES;FEATURES")
  _rdy_check_args(rdy_add_plugin WIT WORLD SOURCES)
  _rdy_pick_target(headers "the rdy headers" rdy::headers rdy_headers)
  _rdy_forward(fwd dir ${target})
  rdy_generate(generated SIDE plugin ${fwd})

  set(type MODULE)
  if(arg_SHARED)
    set(type SHARED)
  endif()
  add_library(${target} ${type} ${arg_SOURCES} ${generated})
  # dlopen takes a path, so the file is named as the target; the generated
  # code is C11.  Hidden visibility: the loader needs only the root symbol,
  # rdy_plugin_v1, which the generated code marks default, and nothing else
  # of the plugin can then clash with the host's or another plugin's symbols.
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    C_STANDARD 11
    C_STANDARD_REQUIRED ON
    C_VISIBILITY_PRESET hidden)
  target_include_directories(${target} PRIVATE "${dir}")
  # The headers only: plugin code calls nothing in librdy.
  target_link_libraries(${target} PRIVATE ${headers})
endfunction()

function(rdy_add_host_bindings target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "STATIC" "WIT;WORLD;OUTPUT_DIR;NAME" "FEATURES")
  _rdy_check_args(rdy_add_host_bindings WIT WORLD)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "rdy_add_host_bindings: no target `${target}`; define it first")
  endif()
  if(arg_STATIC)
    _rdy_pick_target(runtime "the static rdy runtime" rdy::rdy_static rdyrt_static)
  else()
    _rdy_pick_target(runtime "the rdy runtime" rdy::rdy rdyrt)
  endif()
  _rdy_forward(fwd dir ${target})
  rdy_generate(generated SIDE host ${fwd})

  target_sources(${target} PRIVATE ${generated})
  # PUBLIC: a library holding the bindings passes the generated header and
  # the runtime on to its users.  Only in the build tree: the generated
  # directory is no place to install from.
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${dir}>")
  target_link_libraries(${target} PUBLIC ${runtime})
endfunction()
