// The machines a question is about: this one (probed or replayed, calibrated and cached), a catalog
// machine, or a catalog graphics card in its host.
#include <cmath>
#include <cstdio>

#include <unistd.h>

#include "calibrate.hpp"
#include "calibration.hpp"
#include "cli.hpp"
#include "probe.hpp"

namespace benchr {

namespace {

/// The live machine with its calibration (calibration.cpp: cached, else measured).
Machine calibrated(Machine m, const Flags& f) {
  CalibrationRun run = cached_or_measured(m, f.calibration_budget_s);
  m.notes.insert(m.notes.end(), run.notes.begin(), run.notes.end());
  return with_calibration(std::move(m), run.kept);
}

}  // namespace

/// This machine: probed (or replayed from --machine), calibrated unless --no-calibrate.
Machine this_machine(const Flags& f) {
  Machine m = f.machine_path.empty() ? live_machine() : load_machine(f.machine_path);
  if (f.machine_path.empty()) {
    if (f.no_calibrate)
      m.notes.push_back("--no-calibrate: bandwidth and compute are stated estimates, not measurements");
    else m = calibrated(std::move(m), f);
  }
  return m;
}

namespace {

/// The host a catalog graphics card goes into: a catalog CPU machine (by default a typical DDR5
/// desktop, so the answer is the same on every machine it is asked on), or with `--host this` this
/// one (or the --machine replayed). `which` says which, for the machine's notes.
Machine card_host(const Flags& f, const Catalog& c, std::string& which, bool& is_this) {
  is_this = f.host_id == "this" || (f.host_id.empty() && !f.machine_path.empty());
  if (is_this) {
    which = f.machine_path.empty() ? std::string("this machine (--host this)") : f.machine_path;
    return this_machine(f);
  }
  const std::string id = f.host_id.empty() ? kDefaultHost : f.host_id;
  const HardwareSpec& h = find_host(c, id, true);
  which = "catalog '" + id + "'" + (f.host_id.empty() ? " (the default; --host ID or --host this to change)" : "");
  return machine_from_hardware(h);
}

}  // namespace

std::string fmt_usd(double usd) {
  // Not "$" + to_string(): g++ 12 warns on it with a false -Wrestrict (GCC bug 105329).
  std::string s = std::to_string(std::llround(usd));
  return s.insert(0, 1, '$');
}


/// A catalog hardware entry as a machine: `gpus` of a graphics card in its host (card_host), or a
/// whole machine (Mac, APU, CPU server). With `price_host`, a card's price includes its host's
/// (unknown when the catalog has none) unless the host is this machine or `have_host`.
Machine catalog_machine(const Flags& f, const Catalog& c, HardwareSpec spec, int gpus, bool price_host,
                        bool have_host, const std::string& flag, std::string* price_detail) {
  if (!f.backend.empty()) spec.backend = parse_backend(f.backend, "--backend");
  if (gpus > 1 && spec.kind != HardwareKind::gpu)
    throw InputError(flag + ": '" + spec.id + "' is not a graphics card (kind " + std::string(to_string(spec.kind)) + ")");
  Machine m = machine_from_hardware(spec, gpus);
  if (spec.kind == HardwareKind::gpu) {
    // A graphics card goes into a computer whose CPU and RAM take what does not fit on the card.
    std::string which;
    bool is_this = false;
    const Machine host = card_host(f, c, which, is_this);
    m.cpu = host.cpu;
    m.devices.insert(m.devices.begin(), host.devices.front());
    std::string price = "the price is the card's alone";
    if (price_host && !is_this && !have_host) {
      if (host.price_usd.known() && m.price_usd.known()) {
        if (price_detail)
          *price_detail = fmt_usd(m.price_usd.value) + (gpus > 1 ? " for " + std::to_string(gpus) + " cards" : "") +
                          " + " + fmt_usd(host.price_usd.value) + " for the host, " + host.hardware_id;
        m.price_usd = {m.price_usd.value + host.price_usd.value,
                       m.price_usd.source + " + host " + host.price_usd.source};
        price = "the price includes it (--have-host if you have one)";
      } else {
        m.price_usd = {};
        price = "the price is unknown: the catalog has none for " +
                std::string(host.price_usd.known() ? "the card" : "the host");
      }
    }
    m.notes.push_back("host for the card: " + which + " (" + host.devices.front().name + ", " +
                      std::to_string(std::llround(host.devices.front().memory_bytes.value / kGiB)) + " GiB RAM); " +
                      price);
  } else if (!f.host_id.empty()) {
    throw InputError("--host: only a graphics card (a catalog id of kind gpu) goes into a host; '" + spec.id +
                     "' is of kind " + std::string(to_string(spec.kind)));
  }
  return m;
}

Machine the_machine(const Flags& f, const Catalog& c) {
  if (!f.hardware_id.empty()) {
    return catalog_machine(f, c, find_hardware(c, f.hardware_id, "--hardware"), f.gpus, false, false,
                           "--gpus " + std::to_string(f.gpus));
  }
  if (!f.host_id.empty()) throw InputError("--host: goes with --hardware GPU (the computer the card goes into)");
  Machine m = this_machine(f);
  if (!f.backend.empty()) {
    const Backend b = parse_backend(f.backend, "--backend");
    bool found = false;
    for (const auto& d : m.devices) found = found || d.backend == b;
    if (!found)
      throw InputError("--backend " + f.backend + ": this machine has no such device (use "
                       "--hardware ID to ask about a catalog machine)");
  }
  return m;
}

const HardwareSpec& find_host(const Catalog& c, const std::string& id, bool this_allowed) {
  const HardwareSpec* h = c.find_hardware(id);
  if (h && h->kind == HardwareKind::cpu) return *h;
  std::vector<std::string> ids;
  if (this_allowed) ids.push_back("this");
  for (const auto& x : c.hardware)
    if (x.kind == HardwareKind::cpu) ids.push_back(x.id);
  throw InputError("--host: '" + id + "' is not a catalog CPU machine" + did_you_mean(id, ids) +
                   "; `benchr-advise hardware --kind cpu` lists them" +
                   (this_allowed ? ", `--host this` uses this machine" : ""));
}

[[noreturn]] void unknown_id(std::string_view flag, std::string_view what, const std::string& given,
                             const std::vector<std::string>& ids, std::string_view listing) {
  throw InputError(std::string(flag) + ": unknown " + std::string(what) + " '" + given + "'" +
                   did_you_mean(given, ids) + (listing.empty() ? "" : "; `" + std::string(listing) + "` lists them"));
}

const ModelSpec& find_model(const Catalog& c, const std::string& id, std::string_view flag) {
  if (const ModelSpec* m = c.find_model(id)) return *m;
  std::vector<std::string> ids;
  for (const auto& m : c.models) ids.push_back(m.id);
  unknown_id(flag, "model id", id, ids, "benchr-advise models");
}

const QuantSpec& find_quant(const Catalog& c, const std::string& id, std::string_view flag) {
  if (const QuantSpec* q = c.find_quant(id)) return *q;
  std::vector<std::string> ids;
  for (const auto& q : c.quants) ids.push_back(q.id);
  unknown_id(flag, "quant id", id, ids, "benchr-advise quants");
}

const HardwareSpec& find_hardware(const Catalog& c, const std::string& id, std::string_view flag) {
  if (const HardwareSpec* h = c.find_hardware(id)) return *h;
  std::vector<std::string> ids;
  for (const auto& h : c.hardware) ids.push_back(h.id);
  unknown_id(flag, "hardware id", id, ids, "benchr-advise hardware");
}

}  // namespace benchr
