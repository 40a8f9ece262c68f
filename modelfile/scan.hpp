// The models already on this machine: the stores local engines download into, and folders the
// user names. Finds model files by their stores' layouts and names them as their engine does;
// reading them is read_model_file's job.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace benchr {

/// Where the local stores are. Each is a folder that may be missing (an engine never installed).
struct StoreRoots {
  std::string ollama;                   ///< Ollama's models folder (manifests/, blobs/)
  std::vector<std::string> lm_studio;   ///< LM Studio's model folders (publisher/repo/...)
  std::string llama_cpp;                ///< llama.cpp's download cache (-hf)
  std::string huggingface;              ///< the Hugging Face hub cache (models--ORG--NAME/)
  std::vector<std::string> model_path;  ///< folders or files the user names ($BENCHR_MODEL_PATH)
};

/// The stores' default places, from the environment's values (empty when unset): Ollama
/// $OLLAMA_MODELS else ~/.ollama/models; LM Studio ~/.lmstudio/models and
/// ~/.cache/lm-studio/models; llama.cpp $LLAMA_CACHE else ~/.cache/llama.cpp; Hugging Face
/// $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub; and $BENCHR_MODEL_PATH split
/// at ':' (empty entries skipped).
StoreRoots store_roots(std::string_view home, std::string_view ollama_models, std::string_view llama_cache,
                       std::string_view hf_home, std::string_view hf_hub_cache, std::string_view model_path);

enum class Store { ollama, lm_studio, llama_cpp, huggingface, model_path };
std::string_view to_string(Store s);

/// One model found in a store.
struct FoundModel {
  Store store;
  std::string name;  ///< as its engine names it: "llama3.2:3b" (Ollama), "Qwen/Qwen3-8B" (hub), a path
  std::string path;  ///< what read_model_file reads: a .gguf file (an Ollama blob) or a checkpoint folder
  std::string via;   ///< the manifest or folder it was found through
};

/// Every model in the stores, store by store, each file once (a file reachable through two
/// stores is listed under the first). GGUF files are models unless they are a vision projector
/// (mmproj) or a split's later shard; a folder with config.json and model.safetensors (or its
/// index) is one checkpoint. A store entry that cannot be understood (a malformed Ollama
/// manifest, a blob it names that is missing) goes into `problems` as "FILE: what", and the
/// scan goes on. A $BENCHR_MODEL_PATH entry that does not exist throws InputError naming it.
std::vector<FoundModel> find_local_models(const StoreRoots& roots, std::vector<std::string>& problems);

}  // namespace benchr
