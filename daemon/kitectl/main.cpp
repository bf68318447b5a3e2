// kitectl: kite's command line (SPEC.md §3); the commands are in cmd_*.cpp.
#include <iostream>

#include "daemon/kited_options.hpp"
#include "daemon/kitectl/cli.hpp"

int main(int argc, char** argv) {
  const auto args = kite::daemon::args_of(argc, argv);
  return kite::kitectl::run(args, std::cout, std::cerr);
}
