// How much of a model's quality a quant keeps, by the model's size.
#include <cmath>

#include "estimator.hpp"

namespace benchr {

double quality_retention(const QuantSpec& q, const ModelSpec& m) {
  if (q.quality_retention >= 1 || q.quality_retention <= 0 || q.quality_retention_params_b <= 0 || m.params_b <= 0)
    return q.quality_retention;
  // In log-perplexity terms (data/quants.toml: retention = PPL(16 bit) / PPL(quant)) the loss
  // scales as (size measured / size of this model) ^ kRetentionSizeExponent.
  const double loss = -std::log(q.quality_retention);
  return std::exp(-loss * std::pow(q.quality_retention_params_b / m.params_b, kRetentionSizeExponent));
}

}  // namespace benchr
