// Figures in words and columns for the terminal: units, money, tokens, wrapping to a width.
#include "table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "app.hpp"

namespace benchr {

std::string gib(double bytes) { return fmt::format("{:.1f} GiB", bytes / kGiB); }
std::string money(double usd) {
  return usd < 10 ? fmt::format("${:.2f}", usd) : fmt::format("${:.0f}", usd);
}
/// A monthly figure that may be unknown: "unknown", never $0.
std::string money(const std::optional<double>& usd) { return usd ? money(*usd) : "unknown"; }

/// What a month costs, in words: the total, then its parts and what each is for.
std::string cost_words(const MonthlyCost& c, int amortize_months) {
  std::string s = fmt::format("{}: electricity {} for {:.0f} h busy and {:.0f} h idle of {:.0f} h up",
                              c.total_usd ? money(*c.total_usd) + "/month" : "not known",
                              c.electricity_usd ? money(*c.electricity_usd) : "unknown (no power figure)",
                              c.busy_hours, std::max(0.0, c.up_hours - c.busy_hours), c.up_hours);
  if (c.owned) return s + ", hardware owned";
  if (!c.hardware_usd) return s + ", hardware price unknown (none in the catalog)";
  return s + fmt::format(", hardware {} amortised{}", money(*c.hardware_usd),
                         amortize_months > 0 ? fmt::format(" over {} months", amortize_months) : "");
}

std::string tokens(double n) {
  return n >= 1e9 ? fmt::format("{:.3g}B", n / 1e9)
         : n >= 1e6 ? fmt::format("{:.3g}M", n / 1e6)
                    : fmt::format("{:.3g}k", n / 1e3);
}
std::string tps(double x) { return x >= 100 ? fmt::format("{:.0f}", x) : fmt::format("{:.1f}", x); }
std::string wrap(const std::string& text, std::size_t first_col, std::size_t indent) {
  std::string out, line;
  std::size_t col = first_col;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(pos, end - pos);
    if (!line.empty() && col + line.size() + 1 + word.size() > kWidth) {
      out += line + "\n" + std::string(indent, ' ');
      line.clear();
      col = indent;
    }
    line += (line.empty() ? "" : " ") + word;
    pos = end + 1;
  }
  return out + line + "\n";
}

/// " (80% range 33-43)": where 80% of published runs of its class fell, out of sample.
std::string band_text(const Range& r) {
  return r.high > 0 ? fmt::format(" (80%: {}-{})", tps(r.low), tps(r.high)) : std::string();
}

std::string cut(std::string s, std::size_t n) {
  if (s.size() > n) s = s.substr(0, n - 1) + "~";
  return s;
}

/// When the estimate needs more GPU memory than the device's default limit: the setting that
/// raises it (the estimate was planned at the raised value), else nothing.
std::string raised_limit_line(const Estimate& e, const Machine& m, std::size_t col) {
  if (!needs_raised_limit(e, m)) return "";
  const Device& d = m.devices[e.placement.device];
  return fmt::format("  {:<{}}", "setting", col - 2) + wrap(fmt::format("needs {}, over what the GPU's default limit of {} holds: `{}`",
                                           gib(e.memory.total_bytes),
                                           gib(d.raised_limit->default_bytes), d.raised_limit->setting),
                               col, col);
}

/// Today's date, YYYY-MM-DD, UTC.
std::string today() {
  const std::time_t t = std::time(nullptr);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", std::gmtime(&t));
  return buf;
}


std::optional<int> days_between(const std::string& from, const std::string& to) {
  auto days = [](const std::string& d) -> std::optional<int> {
    int y = 0, m = 0, day = 1;
    if (std::sscanf(d.c_str(), "%d-%d-%d", &y, &m, &day) < 2 || m < 1 || m > 12 || day < 1 || day > 31)
      return std::nullopt;
    // Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
  };
  const auto a = days(from), b = days(to);
  if (!a || !b) return std::nullopt;
  return *b - *a;
}

}  // namespace benchr
