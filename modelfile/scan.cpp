#include "scan.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "gguf_file.hpp"
#include "types.hpp"

namespace benchr {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// How deep a walk goes below a store's folder: LM Studio keeps publisher/repo/file (3), a hub
// snapshot a repo's own subfolders (a few); deeper is no model layout these engines write.
constexpr int kMaxDepth = 6;
// An Ollama manifest is a few hundred bytes of JSON; anything far larger is not one.
constexpr std::uintmax_t kMaxManifestBytes = 1 << 20;
// Ollama's layer holding the GGUF weights (ollama/ollama server/images.go, "application/vnd.ollama.image.model").
constexpr std::string_view kOllamaModelLayer = "application/vnd.ollama.image.model";
// Ollama's default registry and namespace, which `ollama run` leaves out of a model's name.
constexpr std::string_view kOllamaRegistry = "registry.ollama.ai";
constexpr std::string_view kOllamaLibrary = "library";

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);  // follows symlinks: the hub cache's snapshots are links to blobs
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

/// A GGUF file that is a model of its own: not a vision projector, not a split's later shard.
bool model_gguf(const fs::path& p) {
  const std::string name = p.filename().string();
  if (!ends_with(name, ".gguf") || name.find("mmproj") != std::string::npos) return false;
  const auto split = modelfile::split_name(name);
  return !split || split->index == 1;
}

/// A Hugging Face checkpoint folder: config.json beside model.safetensors or its index.
bool checkpoint_dir(const fs::path& d) {
  return is_file(d / "config.json") &&
         (is_file(d / "model.safetensors") || is_file(d / "model.safetensors.index.json"));
}

/// GGUF files and checkpoint folders at or below `root`, in path order. A checkpoint folder is
/// not searched further.
void walk(const fs::path& root, const std::function<void(const fs::path&, bool checkpoint)>& found) {
  if (is_file(root)) {
    if (model_gguf(root)) found(root, false);
    return;
  }
  if (!is_dir(root)) return;
  if (checkpoint_dir(root)) {
    found(root, true);
    return;
  }
  std::vector<fs::path> entries;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    if (it.depth() >= kMaxDepth) it.disable_recursion_pending();
    entries.push_back(it->path());
  }
  std::sort(entries.begin(), entries.end());
  std::vector<fs::path> checkpoints;
  for (const auto& p : entries) {
    const bool inside = std::any_of(checkpoints.begin(), checkpoints.end(), [&](const fs::path& c) {
      const std::string s = p.string(), cs = c.string() + "/";
      return s.compare(0, cs.size(), cs) == 0;
    });
    if (inside) continue;
    if (is_dir(p) && checkpoint_dir(p)) {
      checkpoints.push_back(p);
      found(p, true);
    } else if (is_file(p) && model_gguf(p)) {
      found(p, false);
    }
  }
}

/// The name `ollama run` takes for manifests/HOST/NAMESPACE/MODEL/TAG.
std::string ollama_name(const std::string& host, const std::string& ns, const std::string& model,
                        const std::string& tag) {
  std::string name = host == kOllamaRegistry ? (ns == kOllamaLibrary ? model : ns + "/" + model)
                                             : host + "/" + ns + "/" + model;
  return name + ":" + tag;
}

void scan_ollama(const fs::path& root, std::vector<FoundModel>& out, std::vector<std::string>& problems) {
  const fs::path manifests = root / "manifests";
  if (!is_dir(manifests)) return;
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(manifests, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec))
    if (it.depth() == 3 && is_file(it->path())) files.push_back(it->path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const fs::path rel = f.lexically_relative(manifests);
    std::vector<std::string> parts;
    for (const auto& p : rel) parts.push_back(p.string());
    const std::string where = f.string();
    std::error_code size_ec;
    const auto size = fs::file_size(f, size_ec);
    if (size_ec || size > kMaxManifestBytes) {
      problems.push_back(where + ": not an Ollama manifest (" + (size_ec ? size_ec.message() : "too large") + ")");
      continue;
    }
    std::ifstream in(f, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const json m = json::parse(text.str(), nullptr, false);
    if (m.is_discarded() || !m.is_object()) {
      problems.push_back(where + ": not valid JSON (an Ollama manifest)");
      continue;
    }
    const auto layers = m.find("layers");
    if (layers == m.end() || !layers->is_array()) {
      problems.push_back(where + ": field layers: missing or not an array");
      continue;
    }
    std::string digest;
    for (const auto& layer : *layers)
      if (layer.is_object() && layer.value("mediaType", "") == kOllamaModelLayer && layer.contains("digest") &&
          layer["digest"].is_string())
        digest = layer["digest"].get<std::string>();
    if (digest.empty()) {
      problems.push_back(where + ": field layers: no " + std::string(kOllamaModelLayer) + " layer");
      continue;
    }
    // "sha256:HEX" names the blob file "sha256-HEX"; only hex digits may follow, so it stays in blobs/.
    const auto colon = digest.find(':');
    const std::string algo = digest.substr(0, colon), hex = colon == std::string::npos ? "" : digest.substr(colon + 1);
    const bool plain = !algo.empty() && !hex.empty() &&
                       std::all_of(algo.begin(), algo.end(), [](char c) { return std::isalnum((unsigned char)c); }) &&
                       std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit((unsigned char)c); });
    if (!plain) {
      problems.push_back(where + ": field digest: '" + digest.substr(0, 80) + "' is not ALGORITHM:HEX");
      continue;
    }
    const fs::path blob = root / "blobs" / (algo + "-" + hex);
    if (!is_file(blob)) {
      problems.push_back(where + ": names blob " + blob.string() + ", which is missing");
      continue;
    }
    out.push_back({Store::ollama, ollama_name(parts[0], parts[1], parts[2], parts[3]), blob.string(), where});
  }
}

/// models--ORG--NAME -> ORG/NAME (the hub cache's folder naming, huggingface_hub file_download.py
/// repo_folder_name: "models--" + repo_id with "/" replaced by "--").
std::string hub_repo(const std::string& folder) {
  const std::string_view rest = std::string_view(folder).substr(std::string_view("models--").size());
  std::string id;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest.compare(i, 2, "--") == 0) {
      id += '/';
      ++i;
    } else {
      id += rest[i];
    }
  }
  return id;
}

void scan_huggingface(const fs::path& hub, std::vector<FoundModel>& out) {
  if (!is_dir(hub)) return;
  std::vector<fs::path> repos;
  std::error_code ec;
  for (fs::directory_iterator it(hub, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
       it.increment(ec))
    if (it->path().filename().string().rfind("models--", 0) == 0 && is_dir(it->path())) repos.push_back(it->path());
  std::sort(repos.begin(), repos.end());
  for (const auto& repo : repos) {
    // The revision refs/main points at, else the newest snapshot.
    fs::path snapshot;
    std::ifstream ref(repo / "refs" / "main");
    std::string rev;
    if (ref >> rev && rev.find('/') == std::string::npos && is_dir(repo / "snapshots" / rev))
      snapshot = repo / "snapshots" / rev;
    if (snapshot.empty()) {
      fs::file_time_type newest{};
      for (fs::directory_iterator it(repo / "snapshots", ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code tec;
        const auto t = fs::last_write_time(it->path(), tec);
        if (is_dir(it->path()) && !tec && (snapshot.empty() || t > newest)) snapshot = it->path(), newest = t;
      }
      ec.clear();
    }
    if (snapshot.empty()) continue;
    const std::string id = hub_repo(repo.filename().string());
    walk(snapshot, [&](const fs::path& p, bool checkpoint) {
      out.push_back({Store::huggingface, checkpoint && p == snapshot ? id : id + "/" + p.lexically_relative(snapshot).string(),
                     p.string(), repo.string()});
    });
  }
}

void scan_folder(Store store, const fs::path& root, std::vector<FoundModel>& out) {
  walk(root, [&](const fs::path& p, bool) {
    const fs::path rel = p.lexically_relative(root);
    out.push_back({store, rel.empty() || rel == "." ? p.filename().string() : rel.string(), p.string(), root.string()});
  });
}

std::string joined(std::string_view a, std::string_view b) { return (fs::path(a) / fs::path(b)).string(); }

}  // namespace

std::string_view to_string(Store s) {
  switch (s) {
    case Store::ollama: return "ollama";
    case Store::lm_studio: return "lm-studio";
    case Store::llama_cpp: return "llama.cpp";
    case Store::huggingface: return "huggingface";
    case Store::model_path: return "BENCHR_MODEL_PATH";
  }
  return "";
}

StoreRoots store_roots(std::string_view home, std::string_view ollama_models, std::string_view llama_cache,
                       std::string_view hf_home, std::string_view hf_hub_cache, std::string_view model_path) {
  StoreRoots r;
  const auto under_home = [&](std::string_view rel) { return home.empty() ? std::string() : joined(home, rel); };
  r.ollama = !ollama_models.empty() ? std::string(ollama_models) : under_home(".ollama/models");
  for (std::string_view rel : {".lmstudio/models", ".cache/lm-studio/models"})
    if (!home.empty()) r.lm_studio.push_back(joined(home, rel));
  r.llama_cpp = !llama_cache.empty() ? std::string(llama_cache) : under_home(".cache/llama.cpp");
  r.huggingface = !hf_hub_cache.empty() ? std::string(hf_hub_cache)
                  : !hf_home.empty()    ? joined(hf_home, "hub")
                                        : under_home(".cache/huggingface/hub");
  for (std::size_t start = 0; start <= model_path.size();) {
    const std::size_t end = std::min(model_path.find(':', start), model_path.size());
    if (end > start) r.model_path.emplace_back(model_path.substr(start, end - start));
    start = end + 1;
  }
  return r;
}

std::vector<FoundModel> find_local_models(const StoreRoots& roots, std::vector<std::string>& problems) {
  for (std::size_t i = 0; i < roots.model_path.size(); ++i) {
    std::error_code ec;
    if (!fs::exists(roots.model_path[i], ec))
      throw InputError("$BENCHR_MODEL_PATH: entry " + std::to_string(i + 1) + ", '" + roots.model_path[i] +
                       "': no such file or folder");
  }
  std::vector<FoundModel> found;
  if (!roots.ollama.empty()) scan_ollama(roots.ollama, found, problems);
  for (const auto& dir : roots.lm_studio) scan_folder(Store::lm_studio, dir, found);
  if (!roots.llama_cpp.empty()) scan_folder(Store::llama_cpp, roots.llama_cpp, found);
  if (!roots.huggingface.empty()) scan_huggingface(roots.huggingface, found);
  for (const auto& p : roots.model_path) scan_folder(Store::model_path, p, found);

  // Each file once: the same file through a second store (a folder on $BENCHR_MODEL_PATH that is
  // also LM Studio's) keeps its first listing.
  std::set<std::string> seen;
  std::vector<FoundModel> out;
  for (auto& m : found) {
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(m.path, ec);
    if (seen.insert(ec ? m.path : canonical.string()).second) out.push_back(std::move(m));
  }
  return out;
}

}  // namespace benchr
