// Figures in words and columns for the terminal: units, money, tokens, wrapping to a width.
#include "table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "app.hpp"
#include "guard.hpp"

namespace benchr {

std::string gib(double bytes) { return figure(bytes / kGiB, 1) + " GiB"; }
std::string money(double usd) {
  if (figure(usd, 0) == "unknown") return "unknown";
  std::string text = "$";  // appended, not "$" + figure(): g++ 12 warns falsely on that (-Wrestrict, GCC PR 105329)
  return text += figure(usd, usd < 10 ? 2 : 0);
}
/// A monthly figure that may be unknown: "unknown", never $0.
std::string money(const std::optional<double>& usd) { return usd ? money(*usd) : "unknown"; }

/// What a month costs, in words: the total, then its parts and what each is for.
std::string cost_words(const MonthlyCost& c, int amortize_months) {
  std::string s = fmt::format("{}: electricity {} for {} h busy and {} h idle of {} h up",
                              c.total_usd ? money(*c.total_usd) + "/month" : "not known",
                              c.electricity_usd ? money(*c.electricity_usd) : "unknown (no power figure)",
                              figure(c.busy_hours, 0), figure(std::max(0.0, c.up_hours - c.busy_hours), 0),
                              figure(c.up_hours, 0));
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
// 0 tok/s is the estimator's "no rate known" (a device without a bandwidth or compute figure).
// Below 0.1, two significant digits ("0.042"): never "0.0 tok/s" for a rate that is not 0.
std::string tps(double x) {
  return !(x > 0) ? "unknown" : x >= 0.1 ? figure(x, x >= 100 ? 0 : 1) : fmt::format("{:.2g}", x);
}
// A wait in seconds: two significant digits below 1 s ("0.015", "0.42"), one decimal to 10 s
// ("2.0"), whole seconds above ("184"): a first token after 15 ms is never "0.0 s", nor one after
// 3 minutes "1.8e+02 s".
std::string seconds(double s) {
  return !(s >= 0) || !std::isfinite(s) ? "unknown"
         : s >= 10                      ? figure(s, 0)
         : s >= 1                       ? figure(s, 1)
                                        : fmt::format("{:.2g}", s + 0.0);
}
std::size_t columns(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b') {  // CSI: ESC [ parameters, up to a final byte in @..~
      ++i;
      while (i + 1 < s.size() && !(s[i + 1] >= '@' && s[i + 1] <= '~')) ++i;
      ++i;
      continue;
    }
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string wrap(const std::string& text, std::size_t first_col, std::size_t indent, std::size_t width) {
  std::string out, line;
  std::size_t col = first_col;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(pos, end - pos);
    if (!line.empty() && col + columns(line) + 1 + columns(word) > width) {
      out += line + "\n" + std::string(indent, ' ');
      line.clear();
      col = indent;
    }
    line += (line.empty() ? "" : " ") + word;
    pos = end + 1;
  }
  return out + line + "\n";
}

std::string field(std::string_view label, const std::string& text, std::size_t col, std::size_t width) {
  std::string head = "  " + std::string(label);
  head += std::string(col > columns(head) ? col - columns(head) : label.empty() ? 0 : 1, ' ');
  return head + wrap(text, columns(head), col, width);
}

std::string engine_label(const Estimate& e) {
  if (e.engine != Engine::llama_cpp) return std::string(to_string(e.engine));
  switch (e.backend) {
    case Backend::cuda: return "llama.cpp (CUDA build)";
    case Backend::rocm: return "llama.cpp (ROCm build)";
    case Backend::vulkan: return "llama.cpp (Vulkan build)";
    case Backend::metal: return "llama.cpp (Metal)";
    case Backend::cpu: return "llama.cpp (CPU)";
  }
  return "llama.cpp";
}

std::string command_field(std::string_view label, const std::string& engine, const std::string& command,
                          std::size_t col, std::size_t width) {
  const std::string one = engine + ": " + command;
  const std::size_t head = 2 + columns(label) + (label.empty() ? 0 : 1);  // as field() lays it out
  if (std::max(col, head) + columns(one) <= width) return field(label, one, col, width);
  // The words, a flag kept with its value ("-c 32768") so that no line ends between them.
  std::vector<std::string> words;
  for (std::size_t pos = 0; pos < command.size();) {
    std::size_t end = command.find(' ', pos);
    if (end == std::string::npos) end = command.size();
    std::string word = command.substr(pos, end - pos);
    if (!words.empty() && words.back().size() > 1 && words.back()[0] == '-' &&
        words.back().find(' ') == std::string::npos && !word.empty() && word[0] != '-')
      words.back() += " " + word;
    else
      words.push_back(std::move(word));
    pos = end + 1;
  }
  // Every line but the last keeps two columns for " \\"; continuation lines start two columns
  // further in; a word longer than a line stays whole.
  std::string out = field(label, engine + ":", col, width), line;
  std::size_t lead = col;
  for (const auto& word : words) {
    if (!line.empty() && lead + columns(line) + 1 + columns(word) + 2 > width) {
      out += std::string(lead, ' ') + line + " \\\n";
      line.clear();
      lead = col + 2;
    }
    line += (line.empty() ? "" : " ") + word;
  }
  return out + std::string(lead, ' ') + line + "\n";
}

std::string paint(const std::string& s, Paint p, bool on) {
  if (!on || s.empty()) return s;
  const char* code = p == Paint::heading ? "\x1b[1m"
                     : p == Paint::good  ? "\x1b[32m"
                     : p == Paint::warn  ? "\x1b[33m"
                                         : "\x1b[31m";
  return code + s + "\x1b[0m";
}

std::string heading(const std::string& text, std::size_t width, bool color) {
  std::string s = wrap(text, 0, 2, width);
  s.pop_back();
  return paint(s, Paint::heading, color) + "\n";
}

/// " (80% range 33-43)": where 80% of published runs of its class fell, out of sample.
std::string band_text(const Range& r) {
  return r.high > 0 ? fmt::format(" (80%: {}-{})", tps(r.low), tps(r.high)) : std::string();
}

std::string band_note(const Estimate& e, bool decode) {
  const double figure = decode ? e.decode_tps : e.prefill_tps;
  if (figure <= 0 || (decode ? e.decode_tps_range : e.prefill_tps_range).high > 0) return "";
  if (e.accuracy_class == AccuracyClass::cpu_calibrated)
    return "not calibrated: no runs measured on a calibrated CPU (bench/live_runs) to calibrate one on";
  return fmt::format("not calibrated: no band for {} {} holds 75-85% of the published runs held out by device "
                     "(bench/check_accuracy.py)",
                     to_string(e.accuracy_class), decode ? "decode" : "prefill");
}

std::string band_text(const Estimate& e, bool decode) {
  const Range& r = decode ? e.decode_tps_range : e.prefill_tps_range;
  if (r.high > 0) return band_text(r);
  if (band_note(e, decode).empty()) return "";
  return fmt::format(" (80% range: not calibrated for {} {})", to_string(e.accuracy_class), decode ? "decode" : "prefill");
}

/// When the estimate needs more GPU memory than the device's default limit: the setting that
/// raises it (the estimate was planned at the raised value), else nothing.
std::string raised_limit_line(const Estimate& e, const Machine& m, std::size_t col, std::size_t width) {
  if (!needs_raised_limit(e, m)) return "";
  const Device& d = m.devices[e.placement.device];
  return fmt::format("  {:<{}}", "setting", col - 2) +
         wrap(fmt::format("needs {}, over what the GPU's default limit of {} holds: `{}`", gib(e.memory.total_bytes),
                          gib(d.raised_limit->default_bytes), d.raised_limit->setting),
              col, col, width);
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

namespace {

/// `text` in lines of at most `width` columns, broken at spaces (a longer word stays whole).
std::vector<std::string> lines_of(const std::string& text, std::size_t width) {
  std::vector<std::string> out;
  const std::string wrapped = wrap(text, 0, 0, std::max<std::size_t>(width, 1));
  for (std::size_t pos = 0; pos < wrapped.size();) {
    const std::size_t end = wrapped.find('\n', pos);
    out.push_back(wrapped.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

}  // namespace

std::string table(const std::vector<Column>& cols, const std::vector<std::vector<std::string>>& rows,
                  std::size_t width, std::size_t indent) {
  const std::size_t n = cols.size();
  // natural: the widest cell; least: what a wrap column needs at the least -- its longest word,
  // as an id is never broken, and kMinWrapColumns unless it is all narrower.
  std::vector<std::size_t> natural(n), least(n);
  for (std::size_t c = 0; c < n; ++c) {
    natural[c] = columns(cols[c].head);
    std::size_t word = 0;
    for (const auto& r : rows) {
      if (c >= r.size()) continue;
      natural[c] = std::max(natural[c], columns(r[c]));
      for (std::size_t pos = 0; pos <= r[c].size();) {
        const std::size_t end = std::min(r[c].find(' ', pos), r[c].size());
        word = std::max(word, columns(std::string_view(r[c]).substr(pos, end - pos)));
        pos = end + 1;
      }
    }
    least[c] = std::max(std::min(natural[c], kMinWrapColumns), word);
  }
  std::vector<bool> shown(n, true);
  std::vector<std::size_t> w = natural;
  // Fit: the wrap columns share what the others leave; while even their minimum does not fit,
  // the droppable column with the highest `drop` goes.
  for (;;) {
    std::size_t fixed = indent, visible = 0, wrap_min = 0;
    std::vector<std::size_t> wrapping;
    for (std::size_t c = 0; c < n; ++c) {
      if (!shown[c]) continue;
      ++visible;
      if (cols[c].wrap) {
        wrapping.push_back(c);
        wrap_min += least[c];
      } else {
        fixed += natural[c];
      }
    }
    fixed += visible ? visible - 1 : 0;  // the spaces between columns
    const std::size_t left = width > fixed ? width - fixed : 0;
    std::size_t victim = n;
    for (std::size_t c = 0; c < n; ++c)
      if (shown[c] && cols[c].drop > 0 && (victim == n || cols[c].drop > cols[victim].drop)) victim = c;
    const bool fits = left >= wrap_min && (!wrapping.empty() || fixed <= width);
    if (fits || victim == n) {
      // Each wrap column gets its least, then what is left is shared out, the columns that need
      // the least more first, so that none gets more than its widest cell.
      std::sort(wrapping.begin(), wrapping.end(),
                [&](auto a, auto b) { return natural[a] - least[a] < natural[b] - least[b]; });
      std::size_t rest = left > wrap_min ? left - wrap_min : 0;
      for (std::size_t i = 0; i < wrapping.size(); ++i) {
        const std::size_t c = wrapping[i];
        const std::size_t more = std::min(natural[c] - least[c], rest / (wrapping.size() - i));
        w[c] = least[c] + more;
        rest -= more;
      }
      break;
    }
    shown[victim] = false;
  }
  const auto render = [&](const std::vector<std::string>& cells) {
    std::vector<std::vector<std::string>> parts(n);
    std::size_t height = 1;
    for (std::size_t c = 0; c < n; ++c) {
      if (!shown[c]) continue;
      const std::string cell = c < cells.size() ? cells[c] : "";
      parts[c] = cols[c].wrap ? lines_of(cell, w[c]) : std::vector<std::string>{cell};
      height = std::max(height, parts[c].size());
    }
    std::string out;
    for (std::size_t l = 0; l < height; ++l) {
      std::string line(indent, ' ');
      bool first = true;
      for (std::size_t c = 0; c < n; ++c) {
        if (!shown[c]) continue;
        if (!first) line += ' ';
        first = false;
        const std::string part = l < parts[c].size() ? parts[c][l] : "";
        const std::string pad(w[c] > columns(part) ? w[c] - columns(part) : 0, ' ');
        line += cols[c].right ? pad + part : part + pad;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    return out;
  };
  std::vector<std::string> heads;
  for (const auto& c : cols) heads.push_back(c.head);
  std::string out = render(heads);
  for (const auto& r : rows) out += render(r);
  return out;
}

std::vector<std::string> merge_notes(const std::vector<std::string>& notes) {
  // A note's lead is its text up to the last ": ", its tail the rest.
  struct Group {
    std::string lead;
    std::vector<std::string> tails;
  };
  std::vector<Group> groups;
  std::vector<std::size_t> order;  // group index per first appearance
  for (const auto& note : notes) {
    const auto colon = note.rfind(": ");
    const std::string lead = colon == std::string::npos ? note : note.substr(0, colon);
    const std::string tail = colon == std::string::npos ? "" : note.substr(colon + 2);
    // A note without ": " is a group of its own (its tail empty), kept apart from "lead: tail" ones.
    auto g = std::find_if(groups.begin(), groups.end(),
                          [&](const Group& x) { return x.lead == lead && x.tails.front().empty() == tail.empty(); });
    if (colon == std::string::npos && g != groups.end()) continue;  // said already
    if (colon == std::string::npos || g == groups.end()) {
      groups.push_back({lead, {tail}});
      order.push_back(groups.size() - 1);
    } else if (std::find(g->tails.begin(), g->tails.end(), tail) == g->tails.end()) {
      g->tails.push_back(tail);
    }
  }
  std::vector<std::string> out;
  for (const std::size_t i : order) {
    const Group& g = groups[i];
    if (g.tails.size() == 1) {
      out.push_back(g.tails.front().empty() ? g.lead : g.lead + ": " + g.tails.front());
      continue;
    }
    // The words every tail ends with ("not measured"), said once at the end.
    const auto ends_with_words = [](const std::string& t, const std::string& suffix) {
      return t.size() > suffix.size() && t.compare(t.size() - suffix.size(), suffix.size(), suffix) == 0 &&
             t[t.size() - suffix.size() - 1] == ' ';
    };
    std::string common = g.tails.front();
    for (const auto& t : g.tails)
      while (!common.empty() && !ends_with_words(t, common))
        common = common.find(' ') == std::string::npos ? "" : common.substr(common.find(' ') + 1);
    std::string s = g.lead + ": ";
    for (std::size_t k = 0; k < g.tails.size(); ++k) {
      const std::string& t = g.tails[k];
      s += std::string(k == 0 ? "" : k + 1 == g.tails.size() ? " and " : ", ") +
           (common.empty() ? t : t.substr(0, t.size() - common.size() - 1));
    }
    out.push_back(common.empty() ? s : s + " " + common);
  }
  return out;
}

}  // namespace benchr
