# The report's plotting libraries, embedded into the app library at build time (cmake/vega_embed.cmake).
# BENCHR_NODE_MODULES is where `npm ci` put them (scripts/setup.sh: report/package-lock.json installed
# under <build>/npm). The embedding step runs on every build -- it only looks at three files and
# rewrites its source when they changed -- so a later `npm ci` is picked up without reconfiguring.
set(BENCHR_NODE_MODULES "${CMAKE_BINARY_DIR}/npm/node_modules" CACHE PATH
    "node_modules holding vega, vega-lite and vega-embed for the report (npm ci of report/package-lock.json)")
set(plot_js_source ${CMAKE_CURRENT_BINARY_DIR}/plot_libraries.cpp)
add_custom_target(plot_libraries
  COMMAND ${CMAKE_COMMAND} -DNODE_MODULES=${BENCHR_NODE_MODULES} -DOUTPUT=${plot_js_source}
          -P ${PROJECT_SOURCE_DIR}/cmake/vega_embed.cmake
  BYPRODUCTS ${plot_js_source}
  COMMENT "Embedding the report's plotting libraries"
  VERBATIM)
target_sources(app PRIVATE ${plot_js_source})
add_dependencies(app plot_libraries)
