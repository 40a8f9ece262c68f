// How wide and whether in colour: the terminal stdout goes to, the environment, the flags.
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli.hpp"

namespace benchr {

Output output_settings(const Flags& f) {
  Output o;
  o.json = f.json;
  o.verbose = f.verbose;
  const bool tty = isatty(STDOUT_FILENO);
  if (f.width > 0) {
    o.width = static_cast<std::size_t>(f.width);
  } else if (const char* env = std::getenv("COLUMNS"); env && *env) {
    // As ls does: a COLUMNS that is not a width is said and ignored.
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    if (*end == '\0' && n >= kMinWidth && n <= kMaxWidth) o.width = static_cast<std::size_t>(n);
    else
      std::fprintf(stderr, "benchr-advise: warning: ignoring COLUMNS='%s': not a width from %d to %d\n", env,
                   kMinWidth, kMaxWidth);
  } else if (winsize ws{}; tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    o.width = std::max<std::size_t>(ws.ws_col, kMinWidth);
  }
  // https://no-color.org: NO_COLOR set and not empty turns colour off, unless --color always.
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  const bool dumb = term && std::string(term) == "dumb";
  o.color = f.color == "always" || (f.color == "auto" && tty && !(no_color && *no_color) && !dumb);
  if (o.json) o.color = false;
  return o;
}

}  // namespace benchr
