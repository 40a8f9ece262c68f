// Figures in words and columns for the terminal (app only): units, money, tokens, and text
// wrapped to the output's width.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

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

/// The width text output is wrapped to, in columns.
constexpr std::size_t kWidth = 100;
/// `text` broken at spaces into lines of at most kWidth columns, the first starting at column
/// `first_col`; lines after the first start with `indent` spaces. Ends with a newline.
std::string wrap(const std::string& text, std::size_t first_col, std::size_t indent);
/// " (80%: 33-43)": where 80% of published runs of its class fell, out of sample; empty when unknown.
std::string band_text(const Range& r);
/// `s` cut to `n` columns, its last one '~' when cut.
std::string cut(std::string s, std::size_t n);
/// When the estimate needs more GPU memory than the device's default limit: the setting that
/// raises it (the estimate was planned at the raised value), as a labelled line; else "".
std::string raised_limit_line(const Estimate& e, const Machine& m, std::size_t col);

/// Prices older than this many days are flagged as possibly stale (the catalog issue's rule).
constexpr int kStaleDays = 180;
/// Today's date, YYYY-MM-DD, UTC.
std::string today();

}  // namespace benchr
