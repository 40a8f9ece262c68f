// Private to catalog/: a catalog while its sources are merged (load.cpp), and its build-time
// binary form (snapshot.cpp). The embedded data/*.toml are parsed once, when the program is
// built (catalog_snapshot), into a CatalogDraft written as bytes; at run time those bytes are
// read back (~1 ms, against ~13 ms for parsing the TOML) and users' --catalog files merged over
// them exactly as over the parsed text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "catalog.hpp"

namespace benchr {

/// Where an entry came from: the index of its source in the merge, and "file:line:column".
struct CatalogOrigin {
  std::size_t source = 0;
  std::string where;
};

/// The sources merged so far: entries by id in merge order (a later source's entry replaces an
/// earlier one's), each with its origin; models' repos not yet attached (finish_catalog does,
/// after the references between entries are checked).
struct CatalogDraft {
  Catalog catalog;
  std::vector<CatalogOrigin> model_at, quant_at, hw_at, api_at, rental_at, repo_at;
  std::size_t sources = 0;  ///< how many sources were merged; the next one gets this index
};

/// Parses `src` and merges it over `d`. Throws InputError "file:line:column: what".
void merge_source(CatalogDraft& d, const CatalogText& src);

/// Checks the references between entries (an API's model, a rental's hardware, a quant's
/// models, a repo's model and quants) and attaches each repo to its model. Throws InputError
/// naming the entry's file:line.
Catalog finish_catalog(CatalogDraft d);

/// The draft as bytes, and back: every field of every entry (snapshot.cpp lists them; a
/// static_assert there fails when a catalog type gains a field it does not list).
std::string write_snapshot(const CatalogDraft& d);
/// Throws std::runtime_error on bytes that are not a snapshot of this program's version.
CatalogDraft read_snapshot(std::string_view bytes);

/// The snapshot of data/*.toml made at build time (generated embedded_snapshot.cpp).
std::string_view embedded_snapshot();

}  // namespace benchr
