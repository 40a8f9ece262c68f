// Figures in words and columns for the terminal (app only): units, money, tokens, and text
// wrapped to the output's width.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "estimator.hpp"

namespace benchr {

/// "12.3 GiB".
std::string gib(double bytes);
/// "$4.20" under $10, else "$42".
std::string money(double usd);
/// A monthly figure that may be unknown: "unknown", never $0.
std::string money(const std::optional<double>& usd);
/// What a month costs, in words: the total, then its parts and what each is for.
std::string cost_words(const MonthlyCost& c, int amortize_months);
/// "10M", "1.5B", "512k".
std::string tokens(double n);
/// Tokens/s: no decimals from 100 up, one below.
std::string tps(double x);
/// A time in seconds: "0.015", "2.0", "184"; "unknown" when not a finite time.
std::string seconds(double s);

/// The columns `s` takes on a terminal: UTF-8 code points ("×", "—" take one), ANSI colour
/// sequences none.
std::size_t columns(std::string_view s);
/// `text` broken at spaces into lines of at most `width` columns, the first starting at column
/// `first_col`; lines after the first start with `indent` spaces. A word longer than a line is
/// left whole (an id or a command is never cut). Ends with a newline.
std::string wrap(const std::string& text, std::size_t first_col, std::size_t indent, std::size_t width);
/// " (80%: 33-43)": where 80% of published runs of its class fell, out of sample; empty when unknown.
std::string band_text(const Range& r);
/// An estimate's 80% range as band_text() gives it, or, where its class has no calibrated band for
/// that figure, " (80% range: not calibrated for CLASS prefill)".
std::string band_text(const Estimate& e, bool decode);
/// Why an estimate's figure has no 80% range although the figure is known ("" where it has one or
/// the figure is unknown): the words of the JSON's decode_tps_range_note / prefill_tps_range_note.
std::string band_note(const Estimate& e, bool decode);
/// When the estimate needs more GPU memory than the device's default limit: the setting that
/// raises it (the estimate was planned at the raised value), as a labelled line; else "".
std::string raised_limit_line(const Estimate& e, const Machine& m, std::size_t col, std::size_t width);

/// "  label     text...": the label indented 2, the text from column `col`, wrapped to `width`.
std::string field(std::string_view label, const std::string& text, std::size_t col, std::size_t width);

/// The engine an estimate runs on, and for llama.cpp the backend its build must have ("llama.cpp
/// (Vulkan build)"): llama.cpp's release builds are one per backend, and on a Radeon the estimate
/// assumes the Vulkan one (data/hardware.toml `backend`), on NVIDIA the CUDA one.
std::string engine_label(const Estimate& e);

/// "  label     engine: command" when it fits the width on one line; else the engine after the
/// label and the command on the lines below, from column `col`, broken at spaces with a trailing
/// " \\" on every line but the last, so that the lines pasted into a shell are one command.
std::string command_field(std::string_view label, const std::string& engine, const std::string& command,
                          std::size_t col, std::size_t width);

/// What a colour marks: a heading, a good outcome, a warning, a bad outcome.
enum class Paint { heading, good, warn, bad };
/// `s` in the terminal's colour for `p` when `on` (ANSI SGR: bold, green, yellow, red); else `s`.
std::string paint(const std::string& s, Paint p, bool on);

/// `text` wrapped to `width` (lines after the first indented 2) and painted as a heading; ends
/// with a newline.
std::string heading(const std::string& text, std::size_t width, bool color);

/// A table's column: its heading, alignment, and what happens when the width is short.
struct Column {
  std::string head;
  bool right = false;  ///< right-aligned (figures)
  int drop = 0;        ///< 0: always shown; else left out when the table is too wide, highest first
  bool wrap = false;   ///< prose: wrapped within the width left (several lines a row), never cut
};
/// Rows under their headings within `width` columns, each line starting with `indent` spaces and
/// columns one space apart: every column as wide as its widest cell; when that is too wide, the
/// wrap columns share what is left (down to kMinWrapColumns each), then droppable columns go.
/// Cells are never cut; a row too wide even then overflows rather than lose an id.
std::string table(const std::vector<Column>& cols, const std::vector<std::vector<std::string>>& rows,
                  std::size_t width, std::size_t indent = 0);
/// The narrowest a wrapped column gets before a droppable column is left out instead: two or
/// three words a line ("too slow: 2.8", "over budget"); narrower, a reason reads one word a line.
constexpr std::size_t kMinWrapColumns = 14;

/// Notes with the same lead ("calibration: time budget spent: Q5_K not measured", "...: FMA peak
/// not measured") as one ("calibration: time budget spent: Q5_K and FMA peak not measured"),
/// in order of first appearance; others unchanged.
std::vector<std::string> merge_notes(const std::vector<std::string>& notes);

/// Prices older than this many days are flagged as possibly stale (the catalog issue's rule).
constexpr int kStaleDays = 180;
/// Today's date, YYYY-MM-DD, UTC.
std::string today();

}  // namespace benchr
