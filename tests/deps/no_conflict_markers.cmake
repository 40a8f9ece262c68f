# No file of the source tree holds a merge's conflict markers: a line that starts with seven or
# more '<' or '>' and a space. One was committed once inside a fuzz target, which only clang
# builds (bench/fuzz_all.sh), so no other test saw it.
# Usage: cmake -DDIR=<source root> -P no_conflict_markers.cmake
file(GLOB_RECURSE files LIST_DIRECTORIES false
     ${DIR}/*.cpp ${DIR}/*.hpp ${DIR}/*.h ${DIR}/*.txt ${DIR}/*.cmake ${DIR}/*.toml ${DIR}/*.py ${DIR}/*.sh
     ${DIR}/*.md ${DIR}/*.json ${DIR}/*.csv ${DIR}/*.glsl ${DIR}/*.comp ${DIR}/*.js ${DIR}/*.html)
set(found "")
foreach(f IN LISTS files)
  if(f MATCHES "^${DIR}/(build[^/]*|\\.git)/" OR f MATCHES "/node_modules/")
    continue()
  endif()
  file(STRINGS ${f} lines REGEX "^(<<<<<<<+|>>>>>>>+) ")
  if(lines)
    string(APPEND found "\n  ${f}: ${lines}")
  endif()
endforeach()
if(found)
  message(FATAL_ERROR "merge conflict markers:${found}")
endif()
