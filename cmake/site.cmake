# Assembles the static site in build/wasm/site: the page, its JavaScript, the WGSL kernels, the
# bundled example and the public data sets offered by "Load example". Runs on every build (cheap).
set(SITE_DIR ${CMAKE_BINARY_DIR}/site)
set(EXTERNAL_DATA_DIR ${CMAKE_SOURCE_DIR}/../shared/data/external)
add_custom_target(site ALL
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SITE_DIR}/shaders ${SITE_DIR}/assets ${SITE_DIR}/data
  COMMAND ${CMAKE_COMMAND} -E copy_directory ${CMAKE_SOURCE_DIR}/web ${SITE_DIR}
  COMMAND ${CMAKE_COMMAND} -E copy_directory ${CMAKE_SOURCE_DIR}/shaders ${SITE_DIR}/shaders
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_SOURCE_DIR}/assets/example_sweep.csv ${SITE_DIR}/assets/
  COMMAND ${CMAKE_COMMAND} -DSRC=${EXTERNAL_DATA_DIR} -DDST=${SITE_DIR}/data
          -P ${CMAKE_SOURCE_DIR}/cmake/copy_external_data.cmake
  COMMENT "Assembling the static site in ${SITE_DIR}")
add_dependencies(site scalecalc_app scalecalc_core_module)
