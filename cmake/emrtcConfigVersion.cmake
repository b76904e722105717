# emrtcConfigVersion.cmake -- the version check of find_package(emrtc <version> CONFIG).
#
# The version is the npm package's (package.json beside this folder), the one number users see.
# Compatible: the same major version and at least the version asked for; before 1.0.0 the minor
# version must match too (semver's rule for 0.x: 0.1 and 0.2 may differ in API).

file(READ "${CMAKE_CURRENT_LIST_DIR}/../package.json" _emrtc_package_json)
string(REGEX MATCH "\"version\"[ \t\r\n]*:[ \t\r\n]*\"([0-9]+\\.[0-9]+\\.[0-9]+)" _emrtc_match "${_emrtc_package_json}")
set(PACKAGE_VERSION "${CMAKE_MATCH_1}")
unset(_emrtc_package_json)
unset(_emrtc_match)

if(NOT PACKAGE_VERSION)
  set(PACKAGE_VERSION_UNSUITABLE TRUE) # no readable version: never pretend to be compatible
elseif(NOT PACKAGE_FIND_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
else()
  string(REPLACE "." ";" _emrtc_parts "${PACKAGE_VERSION}")
  list(GET _emrtc_parts 0 _emrtc_major)
  list(GET _emrtc_parts 1 _emrtc_minor)
  if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION
     OR NOT PACKAGE_FIND_VERSION_MAJOR EQUAL _emrtc_major
     OR (_emrtc_major EQUAL 0 AND NOT PACKAGE_FIND_VERSION_MINOR EQUAL _emrtc_minor))
    set(PACKAGE_VERSION_COMPATIBLE FALSE)
  else()
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
    if(PACKAGE_FIND_VERSION VERSION_EQUAL PACKAGE_VERSION)
      set(PACKAGE_VERSION_EXACT TRUE)
    endif()
  endif()
  unset(_emrtc_parts)
  unset(_emrtc_major)
  unset(_emrtc_minor)
endif()
