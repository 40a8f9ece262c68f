# Installing and packaging. `cmake --install build` puts the binary in <prefix>/bin and the
# documentation (README, docs/, the catalog's format in data/README.md) in <prefix>/share/doc/
# benchr-advise; completions and the man page have their own install() rules beside them.
# `cpack -G DEB` (in the build folder) makes benchr-advise_<version>_<arch>.deb for /usr.
include(GNUInstallDirs)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
install(FILES ${PROJECT_SOURCE_DIR}/data/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}/data)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME benchr-advise)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "which open-weight LLM and quantization to run on a machine, how fast, and whether it beats an API")
set(CPACK_PACKAGE_DESCRIPTION
    "Probes the hardware (hwloc, /proc, Vulkan), measures it, and predicts for every model and quantization of its catalog whether it fits, how fast it decodes and prefills, and what a month costs locally against renting and hosted APIs; plans purchases; writes HTML reports with charts.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "benchr-advise developers <benchr-advise@users.noreply.github.com>")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# Debian 12's packages of the shared libraries the binary links (objdump -p: NEEDED), with the
# versions dpkg-shlibdeps derives from the symbols it uses; tests/package/test_deb.sh checks that
# every library the packaged binary needs comes from a package named here. libvulkan1: the Vulkan
# loader, opened at run time (dlopen) to find and measure GPUs -- without it the tool still runs,
# CPU only, so a missing loader is degraded, not broken, but a package should bring it.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6 (>= 2.34), libfmt9 (>= 9.1.0), libgcc-s1 (>= 3.0), libhwloc15 (>= 2.9.0), libstdc++6 (>= 11), libvulkan1")
# A GPU's Vulkan driver: Mesa's for AMD and Intel (NVIDIA's comes with its driver).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "mesa-vulkan-drivers")
include(CPack)
