// The catalog adapter: TOML text (embedded data/*.toml and users' files) -> benchr::Catalog.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "types.hpp"

namespace benchr {

/// One catalog source: the name errors use ("data/models.toml", a user's path) and its text.
struct CatalogText {
  std::string path;
  std::string text;
};

/// data/*.toml as embedded in the binary at build time.
std::vector<CatalogText> embedded_catalog();

/// Reads a user's catalog file; throws InputError naming the path when it cannot.
CatalogText read_catalog_file(const std::string& path);

/// The whole of a text input the user names (a catalog, a saved machine): a regular file of at
/// most `max_bytes`. A FIFO, a device (/dev/zero), a folder or a larger file is an InputError
/// naming `what` and the path -- never a read that blocks or grows without end.
std::string read_input_file(const std::string& path, const std::string& what, std::uint64_t max_bytes);

/// Refuses, before toml++ reads `text`, what toml++ 3.3 would meet undefined behaviour on
/// (catalog/toml_precheck.cpp): a non-ASCII character outside strings and comments (never valid
/// TOML) and some in multi-line basic strings. Throws InputError "path:line:column: what".
void check_toml_text(const std::string& text, const std::string& path);

/// No catalog, saved machine or hwloc export the tool reads comes near this: the embedded catalog
/// is ~0.3 MB, an hwloc export of a 16-GPU server ~0.1 MB.
constexpr std::uint64_t kMaxInputFileBytes = 64ull << 20;

/// Parses and merges the sources in order: an entry whose id an earlier source already has
/// replaces it; a new id is added. Throws InputError with "file:line:column: what" on a syntax
/// error, a missing or unknown field, a wrong type, a negative size, a duplicate id within one
/// source, or a reference to an unknown model or block format.
Catalog load_catalog(const std::vector<CatalogText>& sources);

/// The embedded catalog with `sources` merged over it: load_catalog(embedded_catalog() + sources),
/// with the embedded data/*.toml parsed when the program was built (catalog/snapshot.cpp) rather
/// than on every run. Errors in `sources` as load_catalog gives them.
Catalog load_embedded_catalog(const std::vector<CatalogText>& sources);

/// " (did you mean 'x'?)" for the closest of `choices` to `name`, or "" when none is close.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& choices);

}  // namespace benchr
