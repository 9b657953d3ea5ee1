# Builds the canisters (src/wasm, a separate wasm32 CMake project) into build/wasm/<name>.wasm and embeds them
# in hubctl through the wasm_bundle library (src/bundle). Included by the top-level CMakeLists.txt.
set(HUBCTL_WASM_DIR ${CMAKE_BINARY_DIR}/wasm)
set(HUBCTL_WASM_TOOLCHAIN ${CMAKE_CURRENT_LIST_DIR}/wasm32-toolchain.cmake)

# The modules the sub-project will produce: one per src/canisters/<name>/CMakeLists.txt.
set(HUBCTL_WASM_MODULES "")
if(HUBCTL_BUILD_WASM)
  file(GLOB _canister_lists CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/canisters/*/CMakeLists.txt)
  list(SORT _canister_lists)
  foreach(_list IN LISTS _canister_lists)
    get_filename_component(_dir "${_list}" DIRECTORY)
    get_filename_component(_name "${_dir}" NAME)
    list(APPEND HUBCTL_WASM_MODULES ${HUBCTL_WASM_DIR}/${_name}.wasm)
  endforeach()

  include(ExternalProject)
  ExternalProject_Add(wasm_canisters
    SOURCE_DIR ${CMAKE_SOURCE_DIR}/src/wasm
    PREFIX ${CMAKE_BINARY_DIR}/wasm-build
    BINARY_DIR ${CMAKE_BINARY_DIR}/wasm-build/project
    CMAKE_ARGS -DCMAKE_TOOLCHAIN_FILE=${HUBCTL_WASM_TOOLCHAIN}
               -DCMAKE_BUILD_TYPE=Release
               -DHUBCTL_WASM_OUT_DIR=${HUBCTL_WASM_DIR}
    # The sub-project tracks its own sources; always run its build so an edit under src/ reaches the modules.
    BUILD_ALWAYS ON
    INSTALL_COMMAND ""
    BUILD_BYPRODUCTS ${HUBCTL_WASM_MODULES})
endif()

add_subdirectory(${CMAKE_SOURCE_DIR}/src/bundle ${CMAKE_BINARY_DIR}/src/bundle)
