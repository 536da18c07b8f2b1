# FindPhoneNumber
# ---------------
# Finds Google's libphonenumber C++ library and its offline geocoder.
# Debian ships neither a CMake package nor a pkg-config file for it, hence
# this module (modelled on extra-cmake-modules' FindPhoneNumber.cmake).
#
# Imported targets:
#   PhoneNumber::PhoneNumber   libphonenumber
#   PhoneNumber::GeoCoding     libgeocoding (links PhoneNumber::PhoneNumber)
#
# Result variables:
#   PhoneNumber_FOUND, PhoneNumber_VERSION (e.g. 8.12.57), PhoneNumber_INCLUDE_DIRS
#
# No I18N_PHONENUMBERS_USE_* macro is defined: on Linux the Debian build uses
# POSIX locks, and the headers must be compiled the way the library was.

find_path(PhoneNumber_INCLUDE_DIR NAMES phonenumbers/phonenumberutil.h)
find_library(PhoneNumber_LIBRARY NAMES phonenumber)
find_library(PhoneNumber_GeoCoding_LIBRARY NAMES geocoding)
# The generated protobuf classes in the public headers reference protobuf
# symbols directly, so consumers link it too.
find_path(PhoneNumber_Protobuf_INCLUDE_DIR NAMES google/protobuf/message_lite.h)
find_library(PhoneNumber_Protobuf_LIBRARY NAMES protobuf)

if(PhoneNumber_LIBRARY AND NOT PhoneNumber_VERSION)
  # The library's own version is not in any header. Ask the package manager,
  # then fall back to the shared object's file name (which has major.minor).
  find_program(PhoneNumber_DPKG_QUERY dpkg-query)
  if(PhoneNumber_DPKG_QUERY)
    execute_process(COMMAND ${PhoneNumber_DPKG_QUERY} -W -f=\${Version} libphonenumber-dev
                    OUTPUT_VARIABLE _phn_dpkg_version ERROR_QUIET
                    RESULT_VARIABLE _phn_dpkg_result)
    if(_phn_dpkg_result EQUAL 0 AND _phn_dpkg_version MATCHES "^([0-9]+\\.[0-9]+\\.[0-9]+)")
      set(PhoneNumber_VERSION "${CMAKE_MATCH_1}")
    endif()
  endif()
  if(NOT PhoneNumber_VERSION)
    get_filename_component(_phn_real "${PhoneNumber_LIBRARY}" REALPATH)
    if(_phn_real MATCHES "\\.so\\.([0-9]+\\.[0-9]+(\\.[0-9]+)?)$")
      set(PhoneNumber_VERSION "${CMAKE_MATCH_1}")
    endif()
  endif()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(PhoneNumber
  REQUIRED_VARS PhoneNumber_LIBRARY PhoneNumber_INCLUDE_DIR PhoneNumber_GeoCoding_LIBRARY
                PhoneNumber_Protobuf_INCLUDE_DIR PhoneNumber_Protobuf_LIBRARY
  VERSION_VAR PhoneNumber_VERSION)

if(PhoneNumber_FOUND)
  set(PhoneNumber_INCLUDE_DIRS ${PhoneNumber_INCLUDE_DIR} ${PhoneNumber_Protobuf_INCLUDE_DIR})
  if(NOT TARGET PhoneNumber::PhoneNumber)
    add_library(PhoneNumber::PhoneNumber UNKNOWN IMPORTED)
    set_target_properties(PhoneNumber::PhoneNumber PROPERTIES
      IMPORTED_LOCATION "${PhoneNumber_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${PhoneNumber_INCLUDE_DIRS}"
      INTERFACE_LINK_LIBRARIES "${PhoneNumber_Protobuf_LIBRARY}")
  endif()
  if(NOT TARGET PhoneNumber::GeoCoding)
    add_library(PhoneNumber::GeoCoding UNKNOWN IMPORTED)
    set_target_properties(PhoneNumber::GeoCoding PROPERTIES
      IMPORTED_LOCATION "${PhoneNumber_GeoCoding_LIBRARY}"
      INTERFACE_LINK_LIBRARIES PhoneNumber::PhoneNumber)
  endif()
endif()

mark_as_advanced(PhoneNumber_INCLUDE_DIR PhoneNumber_LIBRARY PhoneNumber_GeoCoding_LIBRARY
                 PhoneNumber_Protobuf_INCLUDE_DIR PhoneNumber_Protobuf_LIBRARY
                 PhoneNumber_DPKG_QUERY)
