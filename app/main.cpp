// benchr-advise: which open-weight model and quantization to run here, how fast, and whether it
// beats paying for an API. A thin layer over the library: the command line (cli.cpp) runs one
// subcommand (cmd_*.cpp); here, what its outcome means as an exit status.
#include <cstdio>
#include <iostream>

#include "cli.hpp"

int main(int argc, char** argv) {
  try {
    const int status = benchr::run_cli(argc, argv);
    // An answer that did not reach its reader (a full disk, a closed pipe) is no success.
    if (!(std::cout << std::flush)) {
      std::fprintf(stderr, "benchr-advise: error: cannot write the output (disk full or pipe closed)\n");
      return 1;
    }
    return status;
  } catch (const benchr::InputError& e) {
    std::fprintf(stderr, "benchr-advise: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchr-advise: internal error: %s\n", e.what());
    return 1;
  }
}
