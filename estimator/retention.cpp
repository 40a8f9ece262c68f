// How much of a model's quality a quant keeps, by the model's size.
#include <cmath>

#include "estimator.hpp"

namespace benchr {

double quality_retention(const QuantSpec& q, const ModelSpec& m) {
  // Carried down only: a model larger than the one measured is credited what was measured. The
  // law was fitted between 7B and 13B; the one larger point at hand (Llama 2 70B, data/quants.toml)
  // is of another family, and a quality figure above the scale's measured range (data/models.toml
  // marks such estimates) times a retention carried up would rank a 27B at Q2_K over a 35B-A3B at
  // IQ4_XS three times as fast, which practitioners do not run (docs/advice-notes.md: bigger at
  // lower bits wins above ~3 bits).
  if (q.quality_retention >= 1 || q.quality_retention <= 0 || q.quality_retention_params_b <= 0 || m.params_b <= 0 ||
      m.params_b >= q.quality_retention_params_b)
    return q.quality_retention;
  // In log-perplexity terms (data/quants.toml: retention = PPL(16 bit) / PPL(quant)) the loss
  // scales as (size measured / size of this model) ^ kRetentionSizeExponent.
  const double loss = -std::log(q.quality_retention);
  return std::exp(-loss * std::pow(q.quality_retention_params_b / m.params_b, kRetentionSizeExponent));
}

}  // namespace benchr
