// The estimator: pure functions from plain structs to plain structs (DESIGN.md).
#pragma once

#include "types.hpp"

namespace benchr {

// ---- machines (machine.cpp) ------------------------------------------------------------------

/// What a live machine's operating system and desktop keep for themselves: the memory a model
/// may plan for is the total less this, never what happens to be free at the moment (another
/// program's allocation would change the answer). Debian 12's installation guide (section 3.4,
/// "Recommended Minimum System Requirements") recommends 2 GB of RAM for a desktop install; a
/// server without one needs less, so 2 GiB covers both.
constexpr double kOsMemoryReserveBytes = 2 * kGiB;

/// The memory to plan a model for on a machine with `total_bytes` of RAM: the total less
/// kOsMemoryReserveBytes, never below 0.
double plannable_ram_bytes(double total_bytes);

/// The host CPU as a Device: memory from `cpu.ram_available_bytes`, and, until calibration
/// measures them, read bandwidth and prefill throughput as stated estimates from cores and SIMD.
Device host_device(const CpuInfo& cpu);

/// A catalog hardware entry as a Machine: one device with datasheet figures × backend efficiency.
/// Apple and APU entries are one unified-memory device, of which the GPU may use only a part.
/// A GPU (or a unified-memory machine) may come `count` times: price multiplied, the link between
/// GPUs from the catalog.
Machine machine_from_hardware(const HardwareSpec& hw, int count = 1);

/// The machine with a calibration's measurements applied: to its CPU device, measured read
/// bandwidth, per-format rates, and the figures' sources saying "measured"; to each GPU measured
/// through Vulkan (same name), its read bandwidth and compute, on the Vulkan backend.
Machine with_calibration(Machine m, const Calibration& c);

/// The machine with each probed, unmeasured GPU matched to its catalog entry (PCI vendor and device
/// id, else the same name): bandwidth, compute and power from the datasheet x the efficiency of
/// the entry's default backend (what llama.cpp users run on it); memory stays as probed.
Machine with_catalog_gpus(Machine m, const Catalog& c);

/// The class whose out-of-sample errors bound a prediction on `d` (estimator/accuracy.cpp).
AccuracyClass accuracy_class(const Device& d, const ModelSpec& m);
/// The 80% band around `predicted` tok/s for that class on backend `b` (the backend's own band
/// where the class has one, else the class's); {0, 0} where the figure is unknown or no band is
/// calibrated for it (band_calibrated()).
Range band(double predicted, AccuracyClass c, Backend b, bool decode);
/// Whether a band calibrated out of sample (held-out coverage 75-85%) exists for that class and
/// backend, decode or prefill.
bool band_calibrated(AccuracyClass c, Backend b, bool decode);

// Without flash attention (llama.cpp -fa off, its default until PR #15434 in 2025-08), decode's
// attention is two matrix products, K x q and V x softmax, with each KV head broadcast to the
// heads/kv_heads query heads of its group (ggml_mul_mat's broadcast over dim 2): the product of each
// query head streams its KV head's K and V again, where the fused flash-attention kernel reads
// them once per group. Part of those repeated reads hits the GPU's L2 or system-level cache; this is
// the share that reaches DRAM. Fitted by bench/check_accuracy.py on the corpus' GPU decode rows
// run without flash attention at depth (CUDA and Metal, 2023-12 to 2024-05 builds: llama-bench's
// long tg tests slow down with depth 2-4x faster than their KV bytes alone say): 1.0, the top of
// its 0..1 grid (every query head's re-read reaches DRAM; Metal's rows would take more, CUDA's
// 0.6-1.0). Cross-validated there (--no-fa-reread turns it off): the datacenter class's decode,
// leave one device out, 8.3% median error and 85% of rows within 20% with it (bench/NOTES.md).
constexpr double kNoFlashKvRereadShare = 1.0;

/// Decode efficiency: achieved weight-streaming rate / datasheet bandwidth, per backend; a CUDA
/// GPU whose SM count and clock are unknown has its own (no per-SM limit applies to it).
double decode_efficiency(Backend, bool units_known = true);
/// Decode's fixed cost per layer and token on a backend (kernel launches, synchronisation); a CUDA
/// GPU whose SM count and clock are unknown has its own.
double decode_overhead_s_per_layer(Backend, bool units_known = true);
/// Prefill efficiency: achieved FLOP/s / datasheet dense FP16 FLOP/s, per backend; a CUDA or ROCm
/// GPU whose SM / CU count and clock are unknown has its own (no per-unit limit applies to it).
double prefill_efficiency(Backend, bool units_known = true);

// ---- memory (memory.cpp) ---------------------------------------------------------------------

/// Parameters by tensor role; `routed` is the part of each role that belongs to routed experts
/// (only a top-k share of it is read per token).
struct ParamBreakdown {
  std::array<double, kRoles> total{};
  std::array<double, kRoles> routed{};
  double vision = 0;   ///< vision encoder: counted in the published total, not loaded for text
  double sum() const;  ///< language-model parameters (no vision)
};
ParamBreakdown param_breakdown(const ModelSpec& m);
/// Total parameters computed from the shapes, vision encoder included (compare with params_b).
double computed_params(const ModelSpec& m);
/// Parameters touched per token: attention, dense and shared MLPs, top-k experts, output matrix.
double computed_active_params(const ModelSpec& m);

/// Bytes of the weights as stored in quant `q` (a GGUF file's tensor data).
double weight_bytes(const ModelSpec& m, const QuantSpec& q);
/// Bytes of weights read per decoded token: untied embeddings are gathered (one row), routed
/// experts count at experts_active / experts.
double weight_bytes_per_token(const ModelSpec& m, const QuantSpec& q);
/// Parameters and bytes of one storage format.
struct FormatLoad {
  const BlockFormat* format;
  double params = 0, bytes = 0;
};

/// The part of a model one memory pool holds: a share of the repeating layers (their dense part
/// -- attention, norms, dense and shared MLPs -- and/or their routed experts), the output matrix,
/// the input embedding.
struct Slice {
  double layers = 1;
  bool dense = true, routed = true;
  bool output = true, embedding = true;
  int tp = 1;  ///< tensor parallel: this pool holds 1/tp of every matrix (and its share of the KV heads)
  /// Of the routed experts in its layers, the share this pool holds: llama.cpp --n-cpu-moe N keeps
  /// the experts of N layers in RAM and the rest on the GPU.
  double routed_share = 1;
};
/// The share of an MoE's experts that `batch` tokens route to, routing taken as uniform:
/// 1 - (1 - active/experts)^batch (active/experts for one token; 1 for a dense model).
double experts_touched_share(const ModelSpec& m, int batch);

/// The slice's weights by format: as stored, or (`per_token`) as one decoding step reads them --
/// routed experts at the share that `batch` tokens route to (experts_active / experts for one;
/// 1 - (1 - active/experts)^batch for a batch, routing taken as uniform), the embedding gathered
/// (one row, not counted).
std::vector<FormatLoad> slice_load(const ModelSpec& m, const QuantSpec& q, const Slice& s, bool per_token,
                                   int batch = 1);

/// Weights touched per decoded token, by format (the whole model). A prompt's tokens skip the
/// output matrix (`with_output` false): llama.cpp computes logits for the last one only.
std::vector<FormatLoad> per_token_load(const ModelSpec& m, const QuantSpec& q, bool with_output = true);

/// Bytes llama.cpp's x86 CPU backend repacks into a second buffer on a CPU whose repacked kernels
/// are at level `cpu` (the matmul weights of the formats BlockFormat::repacked_on names).
double cpu_repack_bytes(const ModelSpec& m, const QuantSpec& q, SimdLevel cpu, const Slice& s = Slice{});

/// KV cache for `tokens` of context: per attention layer K and V widths (GQA), or the MLA latent;
/// sliding-window layers hold at most the window; recurrent layers hold none.
double kv_cache_bytes(const ModelSpec& m, int64_t tokens, KvType kv);
/// The recurrent layers' state for one sequence, whatever its length (0 without such layers).
double recurrent_state_bytes(const ModelSpec& m);
/// The most tokens whose KV cache fits in `bytes` (the inverse of kv_cache_bytes).
int64_t kv_tokens_within(const ModelSpec& m, double bytes, KvType kv);
/// The KV cache share one of `tp` tensor-parallel ranks holds: the KV heads are split over the
/// ranks (each keeps at least one, so with more ranks than KV heads they are replicated); an MLA
/// latent is not split (vLLM keeps the whole latent on every rank).
double kv_share(const ModelSpec& m, int tp);

/// What the slice needs in device d's pool: its weights, the KV cache of its layers (when it
/// holds their attention) for every concurrent user, compute buffers and runtime overhead.
MemoryNeed memory_need(const ModelSpec& m, const QuantSpec& q, const Workload& w, const Device& d,
                       const Slice& s = Slice{});

// ---- speed and the whole estimate (speed.cpp) ------------------------------------------------

/// The share of a device's pool a model leaves free (fits: total <= available x (1 - this)).
double min_headroom(const Device& d);
/// Whether the estimate fits its main device only above that device's default memory limit
/// (Device::raised_limit): the setting that raises it must be applied.
bool needs_raised_limit(const Estimate& e, const Machine& machine);

/// Whether some device of the machine has a backend that runs `q` (MLX needs Metal, ...).
bool runs_on(const QuantSpec& q, const ModelSpec& m, const Machine& machine);

/// Estimate for one model × quant on a machine. Without a placement, the best one is chosen:
/// the largest non-software GPU the model fits on, else the CPU.
Estimate estimate(const ModelSpec& m, const QuantSpec& q, const Machine& machine,
                  const Workload& w, std::optional<Placement> placement = std::nullopt);

// ---- engines and launch commands (launch.cpp) ----------------------------------------------

/// The engine that runs a weight format: GGUF on llama.cpp, MLX on MLX, the rest on vLLM.
Engine engine_of(const QuantSpec& q);
/// The engine that runs it on a backend: vLLM's formats placed on a CPU run on llama.cpp,
/// converted to GGUF (a Hugging Face folder `fit` reads on a machine without a GPU).
Engine engine_of(const QuantSpec& q, Backend where);

/// A Hugging Face repo that holds a model's weights in a quant; `quantize_on_load` when vLLM
/// makes the quant from the released checkpoint as it loads it (FP8 of a BF16 release).
struct WeightsRepo {
  std::string id;
  bool quantize_on_load = false;
};
/// Where quant q of model m is published: a catalog [[repo]] that lists it; for the released
/// checkpoint's own format (safetensors BF16, gpt-oss's MXFP4) and FP8 made on load from a BF16
/// release, the model's hf_repo; else nothing.
std::optional<WeightsRepo> published_repo(const ModelSpec& m, const QuantSpec& q);
/// Whether advice offers quant q of model m: it applies to the model, a file of it is published
/// (or `fit` read one, or the catalog knows no repo of the model at all), and, for a model whose
/// experts were released in a low-bit format, it is that format, Q8_0 or 16 bits -- a lower GGUF
/// quant keeps the released experts and differs only in the small tensors.
bool offered(const ModelSpec& m, const QuantSpec& q);

/// A command line that runs the estimate's placement on its engine: llama-server flags for
/// offload, splits and RPC workers; vllm serve with tensor and pipeline parallel sizes; with
/// `thinking_off`, the flag that turns a hybrid's thinking off.
std::string launch_command(const ModelSpec& m, const QuantSpec& q, const Estimate& e, const Workload& w,
                           bool thinking_off = false);

// ---- cost (cost.cpp) -------------------------------------------------------------------------

/// One user's working hours, when a machine is up for them: 8 h a day on 5 days a week,
/// 8 x 5 x 52 / 12 = 173.3 h a month -- a rented instance started for the working day and stopped
/// after it (advice-notes: a rented GPU is billed for every hour it is up, idle or not).
constexpr double kOneUserHoursPerMonth = 8.0 * 5 * 52 / 12;
/// Power an idle machine draws, as a share of what it draws generating: a desktop with a GPU
/// idles at 30-100 W (docs/advice-notes.md, "Money") against 400-800 W under load (a
/// 350-450 W card with a 65-170 W CPU and the board), 8-12%: 0.1. Macs and APUs idle lower.
constexpr double kIdlePowerShare = 0.1;

/// Hours a month the machine is up for the workload, given the hours it is busy generating:
/// `w.hours_per_day` x kHoursPerMonth / 24 when given; else several users (w.users > 1) keep it up
/// always (kHoursPerMonth), and one user keeps it up for the busy hours plus the idle rest of a
/// working day (kOneUserHoursPerMonth), more when the busy hours are more; never over kHoursPerMonth.
double hours_up(const Workload& w, double busy_hours);

/// A month of the workload: electricity for the busy hours at the devices' power and for the rest
/// of the hours up at kIdlePowerShare of it, plus (unless owned) the price over amortize_months.
MonthlyCost monthly_cost(const Estimate& e, const Machine& machine, const Workload& w,
                         const Electricity& power_price, const Budget& b);
double api_cost_usd(const ApiOffer& offer, const Workload& w);

// ---- advice (advise.cpp) ---------------------------------------------------------------------

/// The ranking's objective: the best quality, where differences within the noise of the quality
/// figures are ties, and among ties the fastest decode, then the longest context that fits.
/// How a quant's loss grows as models shrink. A quant loses ln(PPL(quant) / PPL(16 bit)) in
/// proportion to (params / params measured) ^ -0.363: the median over the five quants of
/// llama.cpp's k-quants table (PR #1684, LLaMA-1 7B and 13B, Wikitext-2 perplexity: F16 5.9066 /
/// 5.2543; Q2_K 6.7764 / 5.8545, Q3_K_M 6.1503 / 5.4498, Q4_K_S 6.0215 / 5.3404, Q5_K_S 5.9419 /
/// 5.2785, Q6_K 5.9110 / 5.2568; exponents 0.36, 0.15, 0.26, 0.40, 0.68). Each quant's 13B loss
/// predicted from its 7B loss with the exponent of the other four: within -14% to +28% of the
/// loss, median 7.6% (retention within 0.5 points), where no size scaling errs by +11% to +57%,
/// median 27% (bench/check_retention_scaling.py). So a 4B model keeps less at 3 bits than the 8B
/// the GGUF retentions were measured on (docs/advice-notes.md "Quantization": small models lose
/// more); a larger model is credited only what was measured (quality_retention()).
constexpr double kRetentionSizeExponent = 0.363;

/// The share of model m's quality quant q keeps: q's measured retention carried down from the size
/// it was measured at (QuantSpec::quality_retention_params_b) to a smaller m's by
/// kRetentionSizeExponent; as measured for a model as large or larger, or when the source names
/// no size.
double quality_retention(const QuantSpec& q, const ModelSpec& m);

/// Quality points on the catalog's 0-100 scale (data/models.toml: Artificial Analysis
/// Intelligence Index) within which two models are a tie. A judgement, not a measured error bar:
/// each catalog figure is one published score of the model's best mode, and a 2-point gap is not a
/// difference a user notices, where a 3x speed difference is ("a model that just clears the floor
/// is rarely the pick when a slightly weaker one is 3x faster", docs/advice-notes.md).
constexpr double kQualityTiePoints = 2.0;
/// Quant retentions (data/quants.toml, PPL(F16) / PPL(quant)) within which two quants are a tie.
/// For a model of kSmallModelParamsB or more: 3.7%, the 4-bit family (Q4_K_M 0.9726, IQ4_XS 0.9647,
/// MLX 4-bit 0.964: at most 3.6% below 16 bits) against Q6_K, Q8_0 and 16 bits, not Q4_K_S
/// (0.9586), Q4_0 (0.930) or 3-bit quants -- a 4-bit
/// quant is the usual default for such models, more bits worth it when memory and speed are
/// plentiful, which the faster-wins rule then finds (docs/advice-notes.md "Quantization": a 27B at
/// Q6_K and 36 tok/s over Q4_K_M at 50 on a 24 GB card, leaving no room for context, is not what
/// practitioners run). Below it: 0.5%, the
/// gap between Q6_K (0.9965) and 16 bits, as quantization hurts small models more.
constexpr double kRetentionTie = 0.005;
constexpr double kRetentionTieLarge = 0.037;
constexpr double kSmallModelParamsB = 8;

/// How much faster a slightly weaker candidate (within 2 x kQualityTiePoints, the fastest-good
/// band) must decode to go before the best: "a model that just clears the floor is rarely the pick
/// when a slightly weaker one is 3x faster" (docs/advice-notes.md, "Speed people accept") -- a
/// 27B dense run with its thinking off at 21 tok/s against a 35B-A3B thinking at 96.
constexpr double kMuchFasterFactor = 3.0;

/// When an API beats the local pick outright: it scores at least kMuchBetterQuality times the
/// pick's quality and costs at most kSmallExtraShare of the budget more a month than running the
/// pick. A judgement, as kMuchFasterFactor: twice the Intelligence Index is the gap between a
/// 0.6-1B model and a 20B-class one (Qwen3 0.6B 14, gpt-oss-20b 52 in data/models.toml), which no
/// user misses, and an expert does not tell someone to run a model that much weaker to save a
/// tenth of what they said they would spend -- a 2-core machine's best, Qwen3 0.6B, for $0.15 a
/// month against gpt-oss-20b by API for $0.55. Local stays the answer when the better API costs
/// real money (an 8B-class pick against a frontier model at $40-100) or is over the budget.
constexpr double kMuchBetterQuality = 2.0;
constexpr double kSmallExtraShare = 0.10;

/// The first rule a candidate breaks, checked in this order by advise and plan alike: the context
/// is one the model takes, the placement fits memory, decode meets decode_floor, the machine can
/// serve the volume (Cost::can_serve), and the cost is within the budget -- never checked for
/// owned hardware (Budget::owned), and a cost with an unknown part is over only when its known
/// parts are. Each caller words the reason (advise in full, plan in a table cell).
enum class Unmet { none, context, memory, speed, volume, budget };
Unmet first_unmet(const Candidate& c, const ModelSpec& m, const Workload& w, const Budget& b);

/// Candidate c (a hybrid model's, thinking) run with its thinking off: the same weights and speed at
/// the model's non-thinking quality, its command turning thinking off; eligibility left to the
/// caller (first_unmet, at the plain floor). advise and plan both offer it.
Candidate with_thinking_off(const Candidate& c, const ModelSpec& m, const QuantSpec& q, const Workload& w);

/// Whether a and b are a tie on quality: their models' qualities within kQualityTiePoints and
/// their quants' retentions within kRetentionTie (kRetentionTieLarge when both models have
/// kSmallModelParamsB or more).
bool quality_tie(const Candidate& a, const Candidate& b);

/// Orders candidates by the objective: eligible ones first, in tiers -- the best-quality eligible
/// candidate and every eligible one tied with it (quality_tie), fastest decode first, then the
/// most context; then the next tier from the best of the rest --; then the others by quality, then
/// speed. Ties anchored on each tier's best keep the order transitive. Last, the first eligible
/// candidate within 2 x kQualityTiePoints of the first that decodes kMuchFasterFactor times as
/// fast is moved before it.
void rank_candidates(std::vector<Candidate>& c);

/// The top pick for each use among `ranked` (as rank_candidates orders them), all eligible:
/// fastest good -- the fastest decode among those within 2 x kQualityTiePoints quality points of
/// the pick (`recommended`); best quality -- the highest quality (model x retention), the faster
/// on equal quality; longest context -- of those tied with the best quality (quality_tie), the
/// largest max_context, the faster on equal context. Empty without an eligible candidate.
TopPicks top_picks(const std::vector<Candidate>& ranked, std::optional<std::size_t> recommended);

/// Every catalog model × quant on this machine, ranked; the best eligible one recommended; the
/// API alternatives priced; a verdict within the budget.
Advice advise(const Catalog& c, const Machine& machine, const Workload& w, const Budget& b);

/// The runners-up an advice shows beside its pick (runners_up.cpp): the best quant of up to `n`
/// other eligible models, in rank order, then of up to `n` models of higher quality than the pick
/// that lost, the smallest quant still better than the pick (the one that came closest to fitting
/// and to the speed floor), lowest quality first. Without a pick: of up to 2 x `n` models, the
/// quant that came closest (the fastest that fits, fastest first; then the smallest of those that
/// fit nowhere). Pointers into `a.ranked`.
std::vector<const Candidate*> runners_up(const Advice& a, std::size_t n);

// ---- purchase planning (plan.cpp) -------------------------------------------------------------

/// Every catalog machine (1, 2, 4 or 8 of a GPU in one machine, then 8-GPU machines in a row for
/// datacenter GPUs, until the model fits) bought and amortised -- at the second-hand price with
/// `scope.used` -- and every rental (more instances of it until the model fits) billed for the
/// hours it is up (hours_up); or, with a fleet, each owned machine and all of them joined by llama.cpp RPC. Each with the
/// best of `quants` on it for the workload; ranked by monthly cost among those that meet the target;
/// with the break-even volume against the cheapest API as good as the model.
Plan plan(const Catalog& c, const ModelSpec& m, const std::vector<const QuantSpec*>& quants, const Workload& w,
          const Budget& b, const PlanScope& scope);

/// Monthly costs within this share of each other are a tie in a comparison: catalog prices are
/// single quotes of a street price (data/hardware.toml, each with its date), which moves by more
/// than 10% within months, so a smaller gap says nothing about which machine costs less.
constexpr double kCostTieShare = 0.10;

/// The APIs as good as model m (its hosts, and closed models of at least its quality) priced for
/// the workload, cheapest first.
std::vector<ApiCost> as_good_apis(const Catalog& c, const ModelSpec& m, const Workload& w);

/// The monthly volume at which a purchase costs as much as the API: its amortisation over what
/// each token saves (the API's price per token less the electricity per token). Empty when the
/// cost is unknown, nothing is amortised, or the API is cheaper per token than the power.
std::optional<double> breakeven_tokens_per_month(const MonthlyCost& cost, const ApiCost& api, const Workload& w);

/// Two or three machines side by side for model m: on each, the best of `quants` for the workload
/// (as plan chooses: ranked as advice ranks, else the closest to the target), its monthly cost
/// (amortised unless owned; the budget rules nothing out), and the break-even volume against the
/// cheapest API as good as the model. The verdict: of the machines that meet the target (fit,
/// decode at --min-tps, serve the volume), the lowest known monthly cost; when the lowest costs
/// are within kCostTieShare of it (or all unknown), the fastest decode among them.
Comparison compare(const Catalog& c, const ModelSpec& m, const std::vector<const QuantSpec*>& quants,
                   const std::vector<CompareMachine>& machines, const Workload& w, const Budget& b);

/// `plan` without a model: every catalog model of at least `min_quality` planned; those with an
/// option that meets the target ranked by quality (then cost), or by cost when `cheapest_first`.
/// Each plan holds one option, the cheapest that meets the target (plan()'s Plan::cheapest, with
/// its break-even), found without estimating the offers that cannot be cheaper (plan.cpp).
ModelsPlan plan_models(const Catalog& c, const std::vector<const QuantSpec*>& quants, const Workload& w,
                       const Budget& b, const PlanScope& scope, double min_quality, bool cheapest_first);

}  // namespace benchr
