# Assembles the static site in build/wasm/site: the page, its JavaScript, the WGSL kernels, the
# bundled example and the public data sets offered by "Load example". Runs on every build (cheap).
# The JavaScript is minified (esbuild, Debian's package): the page weighs less.
set(SITE_DIR ${CMAKE_BINARY_DIR}/site)
find_program(SCALECALC_ESBUILD esbuild)
if(NOT SCALECALC_ESBUILD)
  message(FATAL_ERROR "esbuild missing (it minifies the site's JavaScript): run scripts/setup.sh")
endif()
set(EXTERNAL_DATA_DIR ${SCALECALC_EXTERNAL_DATA_DIR})
add_custom_target(site ALL
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SITE_DIR}/shaders ${SITE_DIR}/assets ${SITE_DIR}/data
  COMMAND ${CMAKE_COMMAND} -E copy_directory ${CMAKE_SOURCE_DIR}/web ${SITE_DIR}
  COMMAND ${CMAKE_COMMAND} -E copy_directory ${CMAKE_SOURCE_DIR}/shaders ${SITE_DIR}/shaders
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_SOURCE_DIR}/assets/example_sweep.csv ${SITE_DIR}/assets/
  COMMAND ${CMAKE_COMMAND} -DSRC=${EXTERNAL_DATA_DIR} -DDST=${SITE_DIR}/data
          -P ${CMAKE_SOURCE_DIR}/cmake/copy_external_data.cmake
  COMMAND ${CMAKE_COMMAND} -DSITE=${SITE_DIR} -DESBUILD=${SCALECALC_ESBUILD}
          -P ${CMAKE_SOURCE_DIR}/cmake/minify_js.cmake
  COMMENT "Assembling the static site in ${SITE_DIR}")
add_dependencies(site scalecalc_app scalecalc_core_module)
