// What `fit` does with a model file, for the GGUF and safetensors targets: read it, reject
// metadata that describe no possible model (shape_problem, exit 2 in the tool), then estimate it
// on a fixed machine -- so a size product that overflows in the reader or in the estimator
// (estimator/memory.cpp, speed.cpp) is undefined behaviour UBSan reports, as the tool would meet it.
#pragma once

#include <string>

#include "estimator.hpp"
#include "modelfile.hpp"

namespace fuzz {

/// A machine with one CPU and no GPU: 64 GiB, 50 GB/s, 1 TFLOP/s (figures of a desktop; only
/// their being finite and positive matters here).
inline benchr::Machine fit_machine() {
  benchr::Machine m;
  m.name = "fuzz";
  benchr::Device cpu;
  cpu.kind = benchr::DeviceKind::cpu;
  cpu.name = "fuzz CPU";
  cpu.memory_bytes = {64.0 * (1ull << 30), "fuzz"};
  cpu.read_gbps = {50.0, "fuzz"};
  cpu.compute_gflops = {1000.0, "fuzz"};
  cpu.power_w = {100.0, "fuzz"};
  m.devices.push_back(cpu);
  m.cpu.cores = {8, "fuzz"};
  m.cpu.logical_cpus = {16, "fuzz"};
  m.cpu.ram_total_bytes = cpu.memory_bytes;
  m.cpu.ram_available_bytes = cpu.memory_bytes;
  return m;
}

/// read_model_file(path) and, when its metadata describe a model, estimate() as `fit` calls it.
/// An InputError is the one failure allowed.
inline void fit(const std::string& path) {
  static const benchr::Machine machine = fit_machine();
  try {
    const benchr::ModelFile file = benchr::read_model_file(path);
    if (!file.spec.shape_problem().empty()) return;
    const benchr::QuantSpec quant = benchr::quant_spec(file);
    if (!benchr::runs_on(quant, file.spec, machine)) return;
    benchr::Workload w;
    if (w.context_tokens > file.spec.context_max && file.spec.context_max > 0) w.context_tokens = file.spec.context_max;
    benchr::estimate(file.spec, quant, machine, w);
  } catch (const benchr::InputError&) {
  }
}

}  // namespace fuzz
