# emrtcConfig.cmake -- find_package(emrtc CONFIG) for the npm package's prebuilt libemrtc.a.
#
#   find_package(emrtc CONFIG REQUIRED)
#   target_link_libraries(game PRIVATE emrtc::emrtc)
#
# configured by `emcmake cmake ... -Demrtc_DIR="$(npx emrtc --cmake-dir)"` (this folder). Not
# CMAKE_PREFIX_PATH: Emscripten's toolchain file searches packages only inside its sysroot
# (CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY). emrtc::emrtc is an IMPORTED static library carrying
# the include folder and the link option -lwebsocket.js.
#
# Threads: a program built with -pthread needs the threaded libemrtc-mt.a. emrtc::emrtc is that
# one when CMAKE_C_FLAGS or CMAKE_CXX_FLAGS hold -pthread (or -sUSE_PTHREADS), or when
# EMRTC_THREADS is ON (OFF forces the plain one); emrtc::emrtc_mt always names it, for projects that
# add -pthread per target (it carries -pthread itself). The wrong one does not go unnoticed: wasm-ld
# refuses the plain library in a -pthread program, emrtc_peer_create() the threaded one elsewhere.
#
# The prebuilt library is WebAssembly objects from one Emscripten version (recorded in
# lib/wasm32-emscripten/emscripten-version.txt). Emscripten gives no object compatibility
# across versions (EM_JS glue, libc ABI, LLVM features), so any other version is refused here,
# early and with the fix, rather than failing at link time or at run time: build from source
# with add_subdirectory(<this package> emrtc), which defines the same emrtc::emrtc target.
# -DEMRTC_IGNORE_EMSCRIPTEN_VERSION=ON turns the refusal into a warning (at your own risk).
# A build that is not Emscripten is refused too (the native build, with its loopback backend,
# is also add_subdirectory).
#
# Sets: emrtc_FOUND, emrtc_VERSION (from the version file), emrtc_PACKAGE_DIR (the package
# folder, the one to add_subdirectory), emrtc_EMSCRIPTEN_VERSION (of the prebuilt library),
# emrtc_THREADS (ON when emrtc::emrtc is the threaded library).
# When refusing, emrtc_FOUND is FALSE and emrtc_NOT_FOUND_MESSAGE says why: find_package(...
# REQUIRED) stops with that message, a find_package without REQUIRED can fall back itself.

get_filename_component(emrtc_PACKAGE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(_emrtc_lib "${emrtc_PACKAGE_DIR}/lib/wasm32-emscripten/libemrtc.a")
set(_emrtc_lib_mt "${emrtc_PACKAGE_DIR}/lib/wasm32-emscripten/libemrtc-mt.a")
set(_emrtc_from_source "build emrtc from source instead: replace find_package(emrtc) with\n\
  add_subdirectory(\"${emrtc_PACKAGE_DIR}\" emrtc)\n(it defines the same emrtc::emrtc target).")

# Refuses: not found, with `why` and how to build from source, and stop reading this file.
macro(_emrtc_refuse why)
  set(emrtc_FOUND FALSE)
  set(emrtc_NOT_FOUND_MESSAGE "emrtc: ${why}\nTo fix it, ${_emrtc_from_source}")
  return()
endmacro()

if(NOT EMSCRIPTEN)
  _emrtc_refuse("the prebuilt ${_emrtc_lib} is WebAssembly for the browser and this build is not \
Emscripten (${CMAKE_SYSTEM_NAME}, ${CMAKE_C_COMPILER_ID}). Configure with `emcmake cmake ...`; for a \
native build (loopback backend) use the sources.")
endif()
if(NOT EXISTS "${_emrtc_lib}" OR NOT EXISTS "${_emrtc_lib_mt}"
   OR NOT EXISTS "${emrtc_PACKAGE_DIR}/lib/wasm32-emscripten/emscripten-version.txt")
  _emrtc_refuse("this package has no prebuilt library (${_emrtc_lib}); a git checkout makes it with \
scripts/build-lib.sh.")
endif()

file(STRINGS "${emrtc_PACKAGE_DIR}/lib/wasm32-emscripten/emscripten-version.txt" emrtc_EMSCRIPTEN_VERSION LIMIT_COUNT 1)
set(_emrtc_em_version "${EMSCRIPTEN_VERSION}")
if(NOT _emrtc_em_version)
  # The toolchain file sets EMSCRIPTEN_VERSION unless EMSCRIPTEN_FORCE_COMPILERS is OFF.
  execute_process(COMMAND "${CMAKE_C_COMPILER}" -dumpversion
    OUTPUT_VARIABLE _emrtc_em_version OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
endif()
if(NOT _emrtc_em_version VERSION_EQUAL emrtc_EMSCRIPTEN_VERSION)
  set(_emrtc_why "the prebuilt ${_emrtc_lib} was built with Emscripten ${emrtc_EMSCRIPTEN_VERSION}, \
this build uses Emscripten ${_emrtc_em_version}; objects of different Emscripten versions may fail to \
link or misbehave.")
  if(EMRTC_IGNORE_EMSCRIPTEN_VERSION)
    message(WARNING "emrtc: ${_emrtc_why} Using it anyway (EMRTC_IGNORE_EMSCRIPTEN_VERSION is ON).")
  else()
    _emrtc_refuse("${_emrtc_why} (-DEMRTC_IGNORE_EMSCRIPTEN_VERSION=ON uses it anyway.)")
  endif()
endif()

if(NOT DEFINED EMRTC_THREADS)
  if("${CMAKE_C_FLAGS} ${CMAKE_CXX_FLAGS}" MATCHES "(^| )(-pthread|-sUSE_PTHREADS(=1)?|-s USE_PTHREADS(=1)?)( |$)")
    set(emrtc_THREADS ON)
  else()
    set(emrtc_THREADS OFF)
  endif()
elseif(EMRTC_THREADS)
  set(emrtc_THREADS ON)
else()
  set(emrtc_THREADS OFF)
endif()

if(NOT TARGET emrtc::emrtc)
  # Emscripten's WebSocket library, used by the signaling client (its JS is emitted only if used).
  add_library(emrtc::emrtc_mt STATIC IMPORTED)
  set_target_properties(emrtc::emrtc_mt PROPERTIES
    IMPORTED_LOCATION "${_emrtc_lib_mt}"
    IMPORTED_LINK_INTERFACE_LANGUAGES C
    INTERFACE_INCLUDE_DIRECTORIES "${emrtc_PACKAGE_DIR}/include"
    INTERFACE_COMPILE_OPTIONS "-pthread"
    INTERFACE_LINK_OPTIONS "-pthread;-lwebsocket.js")
  add_library(emrtc::emrtc STATIC IMPORTED)
  if(emrtc_THREADS)
    set_target_properties(emrtc::emrtc PROPERTIES IMPORTED_LOCATION "${_emrtc_lib_mt}")
  else()
    set_target_properties(emrtc::emrtc PROPERTIES IMPORTED_LOCATION "${_emrtc_lib}")
  endif()
  set_target_properties(emrtc::emrtc PROPERTIES
    IMPORTED_LINK_INTERFACE_LANGUAGES C
    INTERFACE_INCLUDE_DIRECTORIES "${emrtc_PACKAGE_DIR}/include"
    INTERFACE_LINK_OPTIONS "-lwebsocket.js")
endif()
set(emrtc_FOUND TRUE)
