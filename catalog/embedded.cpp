// The embedded catalog as the program reads it: the snapshot made when it was built, with the
// users' files merged over it (catalog.hpp, draft.hpp).
#include "draft.hpp"

namespace benchr {

Catalog load_embedded_catalog(const std::vector<CatalogText>& sources) {
  CatalogDraft d = read_snapshot(embedded_snapshot());
  for (const CatalogText& src : sources) merge_source(d, src);
  return finish_catalog(std::move(d));
}

}  // namespace benchr
