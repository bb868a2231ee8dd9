# Minifies the site's JavaScript in place (cmake -DSITE=dir -DESBUILD=path -P minify_js.cmake): our
# modules and emscripten's loaders. esbuild only transforms (no bundling), so every file keeps its
# name, its imports and its top-level names (the loaders' createScalecalc* globals).
file(GLOB_RECURSE scripts RELATIVE ${SITE} ${SITE}/*.js)
list(FILTER scripts EXCLUDE REGEX "^(data|assets|shaders)/")
if(NOT scripts)
  return()
endif()
execute_process(COMMAND ${ESBUILD} ${scripts} --minify --log-level=warning --outdir=.
                        --allow-overwrite --charset=utf8
                WORKING_DIRECTORY ${SITE} RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "esbuild could not minify the site's JavaScript")
endif()
