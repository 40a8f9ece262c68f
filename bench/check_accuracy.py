#!/usr/bin/env python3
"""Out-of-sample accuracy of decode and prefill on the published corpus (bench/corpus/).

Every run in bench/corpus/runs_*.csv is predicted from its device's datasheet figures alone
(bench/corpus/devices_*.csv: memory bandwidth, dense FP16 TFLOPS, and a sourced measured
bandwidth where one exists), as a user would type them into `--catalog`: no device is special-
cased. `benchr-advise estimate --json` gives each prediction and its breakdown (seconds per pool
and cause, with the backend constants applied); the fitted constants are then refitted here on
every fold's training rows and the held-out rows re-predicted from the breakdown:

  decode  t = comm + sum over pools of weights_s x e0/e + kv_s x e0/e + overhead_s x o/o0
          (kv: with a share f of a GQA group's repeated KV reads where run without flash attention)
          (e: the backend's decode efficiency, Vulkan on Intel GPUs its own; o: its per-layer
          overhead, of which a Gated DeltaNet layer pays g more; GPU pools whose rate is
          measured keep it; on Metal the weights take at least their unpacking, the weights of
          formats with sub-block scales x u FLOPs over the datasheet FLOPs)
  prefill t = sum over pools of (dense_s + routed_s x g(h)/g(h0)) x p0/p
          (p: the backend's prefill efficiency, x an APU's package-power share k for the dense
          products; a GPU's attention at a share a of the rate before k; h: the MoE grouped-GEMM
          half-rate tokens; the rate capped
          at SMs x clock x FLOPs per SM and clock on CUDA, CUs x clock x FLOPs per CU and clock
          on ROCm, whose quantized GEMM runs on the vector ALUs)

Every row is predicted in two regimes, each cross-validated and fitted on its own: units given
(each GPU's SM / CU count and clock, bench/corpus/device_units.csv) and units withheld (memory,
bandwidth and FP16 only, as a user types a --catalog entry: the condition of checks on hardware in
no file of ours); a CUDA or ROCm device without units has constants and 80% bands of its own. The
constants of mechanisms every backend shares (SHARED: the MoE loads' share and tile width, the
attention share) are fitted with units given and held in the same fold of the withheld regime, as
the shipped ones are fitted where the corpus' units are known. A CPU's per-core rates scale with
its cache line where device_cache_lines.csv gives one (Apple's 128 bytes). Rows
whose prediction does not depend on units (other backends, devices without units) are predicted once.
The accuracy quoted is leave-one-device-out (LODO: each device's rows predicted by constants
fitted without it) and leave-one-source-out (LOSO); in-sample (the shipped constants, fitted on
all rows) is printed beside it, labelled. A one-constant baseline (datasheet bandwidth / bytes
per token x k, k fitted LODO) shows what the model adds; the corpus's own floor, how far published
runs of one setup disagree (rows of a setup that other sources measured too, predicted by their
figures). The constants fitted on all rows are printed in the form estimator/machine.cpp and
estimator/speed.cpp hold them, then the 80% bands and issue 17's targets; the exit status is 1
when a target is missed.
Usage: python3 bench/check_accuracy.py [build/app/benchr-advise] [--rows] [--no-gdn] [--no-apu] [--no-intel] [--no-fa-reread]
       [--no-cpu-model] [--no-cpu-core] [--no-cpu-sync] [--no-cpu-format] [--no-cpu-builds] [--no-cpu-clock] [--cpu-clock-stream[-only]] [--no-cpu-line] [--no-cpu-side] [--cpu-only]
       [--no-rocm-cu] [--no-metal-unpack] [--no-units | --units-only] [--fp16-bound] [--build-era] [--moe-stream] [--no-moe-tile] [--moe-overlap] [--moe-arith] [--moe-by-row]
       [--only=REGEX] [--cache=FILE: reuse (or save) the predictions, to try a change to the fitting] [--one-pass]
       [--no-attention-share]
"""
import csv, glob, json, math, multiprocessing, os, pickle, re, statistics, subprocess, sys, tempfile, tomllib
from collections import defaultdict

from benchlib import HERE, LLAMA_2

EXE = next((a for a in sys.argv[1:] if not a.startswith("--")), os.path.join(HERE, "..", "build", "app", "benchr-advise"))
SHOW_ROWS = "--rows" in sys.argv
CORPUS = os.path.join(HERE, "corpus")

# Quants as published that the catalog names differently. Unsloth's dynamic UD-Qn_K_XL mixes sit
# near their base K-quant; Q4_1 and Q5_0/Q5_1 are legacy block types close to Q4_0/Q5_K sizes.
QUANT_ALIASES = {"UD-Q4_K_XL": "Q4_K_M", "UD-Q5_K_XL": "Q5_K_M", "UD-Q6_K_XL": "Q6_K", "UD-Q8_K_XL": "Q8_0",
                 "UD-Q3_K_XL": "Q3_K_M", "UD-Q2_K_XL": "Q2_K", "Q4_K_L": "Q4_K_M", "MLX 4-bit": "MLX-4bit",
                 "MLX 8-bit": "MLX-8bit"}
DATACENTER = re.compile(r"\b(A100|A800|H100|H800|H200|GH200|B200|A10|A30|A40|L4|L40S?|V100|P100|MI\d{2,3}X?|T4)\b")


def read_csvs(pattern):
    rows = []
    for path in sorted(glob.glob(os.path.join(CORPUS, pattern))):
        with open(path, newline="") as f:
            for i, r in enumerate(csv.DictReader(f)):
                r["_file"] = f"{os.path.basename(path)}:{i + 2}"
                rows.append(r)
    return rows


def num(x):
    try:
        v = float(x)
        return v if math.isfinite(v) else None
    except (TypeError, ValueError):
        return None


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def device_key(name):
    """One key per physical device model, whatever the transcriber called it ("RTX 3060" and
    "NVIDIA GeForce RTX 3060 12GB"): leave-one-device-out leaves all of its names out."""
    t = re.sub(r"\(.*?\)|,.*$| — .*$", " ", name.lower())
    t = re.sub(r"\b(nvidia|geforce|amd|radeon|intel|apple|tesla|workstation( edition)?|\d+ ?gb|graphics)\b", " ", t)
    t = " ".join(t.split())
    for names, key in SAME_CHIP:
        if any(n in name.lower() for n in names):
            return key
    return t


# Products transcribed under names that share no words: the same chip.
SAME_CHIP = [(("strix halo", "8060s", "ai max+ 395", "ai max 395"), "strix halo"), (("dgx spark", "gb10"), "gb10"),
             (("780m",), "780m"), (("graviton3",), "graviton3"), (("graviton4",), "graviton4"),
             (("nvidia grace",), "grace")]


UNITS = {}  # device -> its compute units and boost clock (bench/corpus/device_units.csv)
LINES = {}  # CPU device -> its cache line where sourced (bench/corpus/device_cache_lines.csv)
CPU_READ = {}  # CPU device -> what its cores read together, measured (bench/corpus/device_cpu_bandwidth.csv)

# Each catalog model's layers and Gated DeltaNet (recurrent) layers (data/models.toml).
with open(os.path.join(HERE, "..", "data", "models.toml"), "rb") as f:
    SHAPES = {m["id"]: (m["layers"], m.get("recurrent_layers", 0) if m.get("recurrent_kind") == "gated_delta_net" else 0)
              for m in tomllib.load(f)["model"]}
# The shipped number of per-layer overheads a Gated DeltaNet layer adds on a GPU (estimator/speed.cpp
# kGdnLayerOverheads), read back from the estimate's assumptions.
# The shipped share of a GQA group's repeated KV reads that reaches DRAM without flash attention
# (estimator/speed.cpp kNoFlashKvRereadShare), read back from the estimate's assumptions.
FA_RE = re.compile(r"(?:flash attention off|a multiple of 16\)): .*?group, ([0-9.]+) \(the share")
# llama.cpp's MLA layers: this many more of the backend's per-layer overhead (speed.cpp kMlaLayerOverheads).
MLA_RE = re.compile(r"each layer runs about ([0-9.]+) x the backend's per-layer overhead more")
DOT_RE = re.compile(r"one dot product a row and token at ([0-9.]+) of its compute rate")
APU_RE = re.compile(r"x ([0-9.]+) \(an APU's sustained share")
GDN_RE = re.compile(r"each Gated DeltaNet layer adds ([0-9.]+) x the backend's per-layer overhead")


def load():
    for u in read_csvs("device_units.csv"):
        UNITS.setdefault(u["device"].strip(), u)
    for c in read_csvs("device_cache_lines.csv"):
        LINES.setdefault(c["device"].strip(), c)
    for c in read_csvs("device_cpu_bandwidth.csv"):
        CPU_READ.setdefault(c["device"].strip(), c)
    devices = {}
    for d in read_csvs("devices_*.csv"):
        devices.setdefault(d["device"].strip(), d)
    runs, seen = [], set()
    for r in read_csvs("runs_*.csv"):
        # The same published run transcribed from two places (legacy files and a helper's pass)
        # counts once: same model, quant, backend and measured figures.
        key = (r["model"].strip(), r["quant"].strip(), r["backend"].strip().lower(), r.get("depth", "").strip() or "0",
               r.get("tg_tps", "").strip(), r.get("pp_tps", "").strip())
        if key in seen:
            continue
        seen.add(key)
        runs.append(r)
    models = [open(p).read() for p in sorted(glob.glob(os.path.join(CORPUS, "models_*.toml")))]
    return devices, runs, models


def intel_gpu(d):
    """An Intel GPU (its vendor is a datasheet fact; Vulkan's efficiency differs on it)."""
    u = UNITS.get(d["device"].strip(), {})
    return d["kind"] in ("gpu", "apu") and (u.get("unit_kind") == "xe" or d["device"].lower().startswith("intel"))


def cpu_simd(d, unknown="avx2"):
    """A corpus CPU's vector ISA as the catalog spells it (SVE cores run NEON too); `unknown` where
    the device file does not say (the estimator assumes AVX2 there)."""
    simd = (d.get("simd") or "").strip().lower()
    simd = {"sve": "neon"}.get(simd, simd)
    return simd if simd in ("none", "neon", "avx2", "avx512") else unknown


def cpu_clock_mhz(d):
    """A corpus CPU's maximum clock (devices_*.csv boost_clock_mhz, with its clock_source), 0 if unknown."""
    mhz = num(d.get("boost_clock_mhz"))
    return mhz if mhz and (d.get("clock_source") or "").strip() else 0


def cpu_line_factor(d):
    """A corpus CPU's cache line over the 64 bytes its per-core rates were fitted on
    (estimator/machine.cpp kCpuRateLineBytes); 1 where none is sourced (device_cache_lines.csv)."""
    line = num(LINES.get(d["device"].strip(), {}).get("cache_line_bytes"))
    return line / 64 if line and CPU_LINE else 1.0


def hardware_entry(hid, d, backend, threads=None, units=True):
    """A [[hardware]] entry from a corpus device: its datasheet figures only. Memory is set far
    above any model so that the placement is the run's (every layer on the device); fit is not
    what this checks. A CPU-only run is a `cpu` entry at the package's datasheet bandwidth."""
    kind = d["kind"] if d["kind"] in ("gpu", "apple", "apu", "cpu") else "gpu"
    if backend == "cpu":
        kind = "cpu"
    measured = num(d.get("measured_bandwidth_gbps"))
    text = f'''[[hardware]]
id = "{hid}"
name = {json.dumps(d["device"])}
kind = "{kind}"
backend = "{backend}"
memory_gib = 4096
memory_bandwidth_gbps = {num(d["bandwidth_gbps"])}
fp16_tflops = {num(d.get("fp16_tflops")) or 0 if kind != "cpu" else 0}
tdp_w = 0
price_usd = 0
source = "bench/corpus"
unified_memory = {"true" if kind in ("apple", "apu") else "false"}
'''
    u = UNITS.get(d["device"].strip(), {}) if units else {}
    if backend != "cpu" and num(u.get("compute_units")) and num(u.get("boost_clock_mhz")):
        text += (f'compute_units = {int(num(u["compute_units"]))}\nboost_clock_mhz = {num(u["boost_clock_mhz"])}\n'
                 'units_source = "bench/corpus/device_units.csv"\n')
    if backend == "cpu" and threads:
        text += f"cores = {threads}\n"
    line = LINES.get(d["device"].strip(), {}) if backend == "cpu" and threads and CPU_LINE else {}
    if backend == "cpu" and threads and (cpu_clock_mhz(d) or line):
        # datasheet facts with their sources (devices_*.csv boost_clock_mhz and clock_source,
        # device_cache_lines.csv)
        if cpu_clock_mhz(d):
            text += f"boost_clock_mhz = {cpu_clock_mhz(d)}\n"
        if line:
            text += f"cache_line_bytes = {int(num(line['cache_line_bytes']))}\n"
        why = "; ".join(s for s in ((d.get("clock_source") or "").strip() if cpu_clock_mhz(d) else "",
                                     (line.get("source") or "").strip()) if s)
        text += f'units_source = {json.dumps("bench/corpus: " + why)}\n'
    simd = cpu_simd(d, None)
    if backend == "cpu" and simd:
        text += f'simd = "{simd}"\n'  # a datasheet fact: the cores' vector ISA (SVE cores run NEON too)
    if backend != "cpu" and intel_gpu(d):
        text += "pci_vendor_id = 0x8086\n"
    if measured and backend != "cpu":
        text += f'measured_bandwidth_gbps = {measured}\nmeasured_bandwidth_source = "bench/corpus"\n'
    cpu_read = CPU_READ.get(d["device"].strip()) if backend == "cpu" and CPU_SIDE else None
    if cpu_read:
        # An SoC's cores may read much less than its package's datasheet bandwidth (Strix Halo's:
        # 118 of 256 GB/s): a sourced measurement, as a calibrated machine measures its own.
        text += (f'measured_bandwidth_gbps = {num(cpu_read["cpu_read_gbps"])}\n'
                 f'measured_bandwidth_source = {json.dumps("bench/corpus/device_cpu_bandwidth.csv: " + cpu_read["source"])}\n')
    return text


# llama.cpp's prompt speed roughly doubled on CUDA from 2023-24 to 2025 (MMQ's int8 tiles, flash
# attention): prefill constants are fitted on runs of 2025 and later builds, which is what a user
# runs; older runs are still predicted and reported. The scoreboards opened in 2025 carry no
# per-row date.
CURRENT_SOURCES = {"L15013", "L15021", "L10879"}


# An undated run whose build prints llama.cpp's build number ("233d773d0 (6413)", "b4011") is dated
# by it: the corpus' own dated rows put b4282 in 2024-12 and b4621 on 2025-02-05 (L11390), so a
# build from 4621 on is a 2025+ build, one up to 4282 is older (between them: not known, older).
# Numbers below 1000 are a fork's or a packager's own count ("463b6a9 (1)"), not llama.cpp's.
FIRST_2025_BUILD = 4621


def build_number(run):
    m = re.search(r"\((\d{4,5})\)|\bb(\d{4,5})\b", run.get("build") or "")
    return int(m.group(1) or m.group(2)) if m else None


def current(run):
    date = (run.get("date") or "").strip()
    if date:
        return date[:4] >= "2025"
    n = build_number(run)
    return n >= FIRST_2025_BUILD if n else run["source_id"].strip() in CURRENT_SOURCES


# When llama.cpp began repacking weights at load time on each ISA (the first date with it): on x86,
# Q4_0 and Q4_K on AVX2, PR #10446 ("Refactor/online repacking", merged 2024-12-07); on Arm, Q4_0,
# PR #9921 ("add online flow for aarch64 Q4_0 GEMV/GEMM kernels", merged November 2024, its last
# review 2024-11-08). A run dated before read every format through the one-row dot products.
REPACK_FROM = {"avx2": "2024-12-07", "avx512": "2024-12-07", "neon": "2024-11"}


def before_repack(run, simd):
    date = (run.get("date") or "").strip()
    return bool(date) and simd in REPACK_FROM and date[:10] < REPACK_FROM[simd]


def no_flash_attention(run):
    """A GPU run without flash attention: -fa 0 as published, or no -fa given on a build before
    llama.cpp made it the default (PR #15434, 2025-08; llama-bench's -fa was 0 before)."""
    if run["_backend"] == "cpu":
        return False
    fa, date = (run.get("fa") or "").strip(), (run.get("date") or "").strip()
    return fa == "0" or (not fa and bool(date) and date[:7] < "2025-08")


def ubatch_of(run):
    """The run's micro-batch (llama-bench -ub): its ubatch column, else what its notes record
    ("n_ubatch 2048", "-ub 256"), else llama.cpp's default 512; at most the logical batch its notes
    record ("-b 256", "b=256"), as llama.cpp takes n_ubatch = min(n_batch, n_ubatch)."""
    notes = run.get("notes") or ""
    given = num(run.get("ubatch"))
    m = re.search(r"\bn_ubatch (\d+)|(?:^|\s)-ub (\d+)", notes)
    ubatch = int(given) if given else int(m.group(1) or m.group(2)) if m else 512
    b = re.search(r"(?:^|\s)(?:-b |b=)(\d+)", notes)
    return min(ubatch, int(b.group(1))) if b else ubatch


def prefill_not_comparable(run):
    """Why a run's prompt speed is not the default llama.cpp's that the estimate is for (its decode
    still counts), or None. Only settings and regressions its own notes record."""
    notes = run.get("notes") or ""
    if "GGML_CUDA_ENABLE_UNIFIED_MEMORY=1" in notes:
        # HIP's managed memory (hipMallocManaged) for every buffer, a setting for carve-outs too small
        # for the model: gpt-oss-20b's pp512 514 t/s against 1531 with the same ROCm 7 + rocWMMA
        # build's defaults (runs_moeapu.csv).
        return "run with GGML_CUDA_ENABLE_UNIFIED_MEMORY=1 (HIP managed memory)"
    m = re.search(r"\b(b\d+) shows a pp regression reported as a bug", notes)
    if m and (run.get("build") or "").strip() == m.group(1):
        # llama.cpp issue #22375: Vulkan prompt speed on gfx1151 fell from b8460 to b8933 (1080 -> 657
        # and 1342 -> 910 t/s, same machine and driver), reported as a regression.
        return "a build with a prompt-speed regression reported as a bug"
    return None


def klass(run, dev, moe):
    kind = dev["kind"]
    if run["backend"] == "cpu":
        return "cpu"
    if kind == "apple" or run["backend"] in ("metal", "mlx"):
        return "apple"
    if kind == "apu":
        return "apu"
    if DATACENTER.search(dev["device"]):
        return "datacenter"
    return "moe-gpu" if moe else "dense-gpu"


def predict_all(devices, runs, models):
    """Run the estimator once per row and regime (units given, withheld); returns each regime's rows
    it could predict, with their breakdown."""
    entries, skipped, rows = {}, defaultdict(int), {reg: [] for reg in REGIMES}
    for r in runs:
        dev = devices.get(r["device"].strip())
        backend = r["backend"].strip().lower()
        if backend == "mlx":
            backend = "metal"
        if not dev or not num(dev.get("bandwidth_gbps")):
            skipped["device without a datasheet bandwidth"] += 1
            continue
        if backend not in ("cuda", "rocm", "vulkan", "metal", "cpu"):
            skipped[f"backend {backend}"] += 1
            continue
        if CPU_ONLY and backend != "cpu":
            continue
        if ONLY and not re.search(ONLY, f"{dev['device']} {backend} {r['model']}"):
            continue
        r["_backend"] = backend
        # A CPU run's threads are the cores it streams with (llama.cpp pins one thread a core). A
        # source that ran its prompt and its decode tests at different thread counts says so as
        # "16 (pp) / 4 (tg)": each test is predicted at its own.
        given = (r.get("threads") or "").strip()
        split = re.fullmatch(r"(\d+) \(pp\) / (\d+) \(tg\)", given)
        for key, t in (("_hid", split.group(2) if split else given), ("_hid_pp", split.group(1) if split else given)):
            threads = int(num(t) or 0) if backend == "cpu" else 0
            cores = int(num(dev.get("cpu_cores")) or 0)
            threads = min(threads, cores) if threads and cores else threads or cores
            r[key] = "c-" + slug(dev["device"]) + "-" + backend + (f"-{threads}t" if threads else "")
            entries[r[key]] = hardware_entry(r[key], dev, backend, threads)
        # A CUDA or ROCm device with units in device_units.csv is also typed without them (the
        # withheld regime); every other row's prediction is the same in both and is reused.
        r["_units"] = backend in ("cuda", "rocm") and "compute_units" in entries[r["_hid"]]
        if r["_units"] and "no-units" in REGIMES:
            entries[r["_hid"] + "-nu"] = hardware_entry(r["_hid"] + "-nu", dev, backend, threads, units=False)
    catalog = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
    catalog.write(LLAMA_2 + "\n" + "\n".join(models) + "\n" + "\n".join(entries.values()))
    catalog.close()
    try:
        for r in runs:
            if "_hid" not in r:
                continue
            tg, pp = num(r.get("tg_tps")), num(r.get("pp_tps"))
            ngl = num(r.get("ngl"))
            if r["_backend"] != "cpu" and ngl is not None and 0 < ngl < 90:
                skipped["partial offload (-ngl < all)"] += 1
                continue
            if num(r.get("n_cpu_moe")):
                skipped["experts on the CPU (--n-cpu-moe): the host is not in the corpus"] += 1
                continue
            if r["_backend"] != "cpu" and re.search(r"host Raspberry Pi", r.get("notes") or ""):
                # geerlingguy/ai-benchmarks ran the same cards behind a Raspberry Pi CM5 and a Core
                # Ultra 7 265K: an RTX 4090 decodes gpt-oss-20b at 189 t/s behind the Pi, 280 behind
                # the 265K. The host's per-token graph building and kernel launches set the pace, and
                # the host is not in the corpus.
                skipped["GPU behind a Raspberry Pi host: its per-token dispatch, not in the corpus"] += 1
                continue
            if tg and re.search(r"treat tg as unreliable", r.get("notes") or ""):
                # Its transcriber's judgement on the page's own figures (an EPYC 7702's tg128 of
                # 18.8 +- 1.0 where its tg512 gave 36.3): the decode is left out, the prompt kept.
                skipped["decode figures marked unreliable where transcribed (prompt kept)"] += 1
                tg = None
            if tg and re.search(r"slower tg.*reported as a bug", r.get("notes") or ""):
                # A decode its own source reports as a bug (an M1 Max decoding 3x slower with a
                # build option, KleidiAI's GEMV, llama.cpp #27078): not what llama.cpp runs by
                # default. Its prompt figure stays.
                skipped["decode figures their source reports as a bug (prompt kept)"] += 1
                tg = None
            if r["_backend"] == "cpu" and ngl not in (None, 0):
                skipped["cpu backend with layers on a GPU"] += 1
                continue
            quant = r["quant"].strip()
            if not quant:
                skipped["no quant published"] += 1
                continue
            quant = QUANT_ALIASES.get(quant, quant)
            if r["backend"].strip().lower() == "mlx" and not quant.startswith("MLX"):
                quant = {"4bit": "MLX-4bit", "8bit": "MLX-8bit"}.get(quant, quant)
            pp_tokens = int(num(r.get("pp_tokens")) or 512)
            ubatch = ubatch_of(r)
            depth = int(num(r.get("depth")) or 0)
            tg_tokens = int(num(r.get("tg_tokens")) or 128)
            gpus = int(num(r.get("gpus")) or 1)
            def run(hid, at_depth):
                args = [EXE, "--catalog", catalog.name, "--no-calibrate", "estimate", "--model", r["model"].strip(),
                        "--quant", quant, "--hardware", hid, "--backend", r["_backend"],
                        "--prompt-tokens", str(pp_tokens), "--depth", str(at_depth), "--ubatch", str(ubatch),
                        "--context", str(max(4096, pp_tokens + at_depth + tg_tokens + 256)), "--json"]
                if gpus > 1:
                    args += ["--gpus", str(gpus)]
                if no_flash_attention(r):
                    args += ["--flash-attn", "off"]
                out = subprocess.run(args, capture_output=True, text=True)
                if out.returncode != 0:
                    msg = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"
                    skipped[re.sub(r"'[^']*'", "'…'", msg)[:90]] += 1
                    return None
                e = json.loads(out.stdout)
                e["prefill_tps"] = e["prefill_tps"] or 0  # null: no compute figure
                return e
            # A tgN test decodes at positions depth .. depth + N: on average depth + N/2. A ppN test
            # is estimated at its own depth (the estimator takes the prompt's mean position).
            def predict(hid):
                # the prompt test at its own thread count (a CPU run's "16 (pp) / 4 (tg)")
                hid_pp = r["_hid_pp"] if hid == r["_hid"] else hid
                e = run(hid, depth + tg_tokens // 2 if tg else depth)
                ep = e if e is None or not (tg and pp) or (tg_tokens // 2 == 0 and hid_pp == hid) else run(hid_pp, depth)
                return (e, ep) if e is not None and ep is not None else None
            if pp and (why := prefill_not_comparable(r)):
                skipped[f"prefill only: {why}"] += 1
                pp = None
                if not tg:
                    continue
            first = r["_hid"] if "units" in REGIMES or not r["_units"] else r["_hid"] + "-nu"
            got = predict(first)
            if got is None:
                continue
            by_regime = {}
            for reg in REGIMES:
                withheld = reg == "no-units" and r["_units"]
                hid = r["_hid"] + "-nu" if withheld else r["_hid"]
                by_regime[reg] = (got if hid == first else predict(hid), r["_units"] and not withheld)
            if any(v[0] is None for v in by_regime.values()):
                continue
            e, ep = got
            dev = devices[r["device"].strip()]
            moe = "tokens_per_expert" in json.dumps(e["breakdown"]) and any(
                p["prefill"]["tokens_per_expert"] > 0 or p["prefill"]["routed_experts_s"] > 0 for p in e["breakdown"]["pools"])
            moe = moe or "MoE:" in " ".join(e["assumptions"])
            layers, gdn = SHAPES.get(r["model"].strip(), (0, 0))
            g0 = GDN_RE.search(" ".join(e["assumptions"]))
            row = dict(run=r, tg=tg, pp=pp, current=current(r), device=device_key(dev["device"]), source=r["source_id"].strip() or r["_file"],
                       gdn_share=gdn / layers if layers else 0, g0=float(g0.group(1)) if g0 else 0.0,
                       mla=float(mla.group(1)) if (mla := MLA_RE.search(" ".join(e["assumptions"]))) else 0.0,
                       fa0=float(fa0.group(1)) if (fa0 := FA_RE.search(" ".join(e["assumptions"]))) else None,
                       apu=dev["kind"] == "apu" and r["_backend"] != "cpu", intel=intel_gpu(dev), simd=cpu_simd(dev),
                       before_repack=r["_backend"] == "cpu" and CPU_BUILDS and before_repack(r, cpu_simd(dev)),
                       clock_ghz=cpu_clock_mhz(dev) / 1000 if r["_backend"] == "cpu" and CPU_CLOCK else 0.0,
                       clock_ghz_given=cpu_clock_mhz(dev) / 1000 if r["_backend"] == "cpu" else 0.0,
                       threads=int(r["_hid"].rsplit("-", 1)[-1][:-1]) if r["_hid"].endswith("t") else 0,
                       line=cpu_line_factor(dev) if r["_backend"] == "cpu" else 1.0,
                       backend=r["_backend"], cls=klass(r, dev, moe), bw=num(dev["bandwidth_gbps"]),
                       file_gib=num(r.get("file_gib")))
            for reg, ((e_r, ep_r), units) in by_regime.items():
                x = dict(row, e=e_r, ep=ep_r, units=units)
                for p in e_r["breakdown"]["pools"] + ep_r["breakdown"]["pools"]:
                    p["_key"] = ukey(x, p["backend"], "prefill")
                rows[reg].append(x)
    finally:
        os.unlink(catalog.name)
    return rows, skipped


# --- the model of the breakdown, with constants as parameters -------------------------------------

BACKENDS = ("cuda", "rocm", "vulkan", "metal", "cpu")
# Constants are keyed by backend, and where the binary applies other constants to a device typed
# without its SM / CU count and clock, by that too (estimator/machine.cpp: CUDA's decode constants
# kDecodeEfficiencyCudaNoUnits, ..., CUDA's and ROCm's prefill efficiencies
# kPrefillEfficiencyCudaNoUnits, ...): the same backend's rows with and without units do not share them.
KEYS = BACKENDS + ("cuda-nu", "rocm-nu")
NO_UNITS_KEYS = {"decode": ("cuda",), "prefill": ("cuda", "rocm")}


def ukey(x, b, what="decode"):
    """A backend's decode (or prefill) constants' key for row x: "-nu" where the binary has other
    constants for a pool without its units."""
    return b + "-nu" if b in NO_UNITS_KEYS[what] and not x["units"] else b


def shipped(rows):
    """The constants the binary applied, read back from the breakdown (one value per backend)."""
    c = {"kr": None}
    for x in rows:
        for p in x["e"]["breakdown"]["pools"]:
            b = p["backend"]
            if p["decode_efficiency"] > 0:
                c.setdefault(("e", ekey(x, b)), p["decode_efficiency"])
            if p["layer_overhead_s"] > 0:
                c.setdefault(("o", ukey(x, b)), p["layer_overhead_s"])
                c.setdefault(("m", ukey(x, b)), p["moe_layer_extra_s"])
            if p["prefill_efficiency"] > 0 and not x["apu"]:
                c.setdefault(("p", ukey(x, b, "prefill")), p["prefill_efficiency"])
    # The APU's sustained share (kApuComputeShare), read back from the assumptions that state it:
    # an APU pool's prefill efficiency over the first discrete pool's of its backend is not it where
    # either device has no units (its efficiency is then the unit-less one).
    for x in rows:
        m = APU_RE.search(" ".join(x["ep"]["assumptions"])) if x["apu"] else None
        if m:
            c["apu"] = float(m.group(1))
            break
    c.setdefault("apu", 1.0)
    return c


R0 = None  # the shipped share of the bandwidth an MoE's experts load at (kMoeExpertReadShare), from one MoE row
A0 = None  # the shipped share of the GEMM rate a GPU's attention runs at (kGpuAttentionShare)
T0 = 0  # the shipped tile width an MoE's routed arithmetic is padded to on a GPU (kMoeTileTokens)


def ekey(x, b):
    """The decode efficiency's key: the backend's, or Vulkan on an Intel GPU's own."""
    return "vulkan-intel" if b == "vulkan" and x["intel"] and INTEL else ukey(x, b)


def pool_rate(x, p, c):
    """A pool's weight-streaming rate under constants c: the datasheet x the backend's decode
    efficiency, or the SMs x clock x bytes per SM and clock where that is lower (CUDA)."""
    e0, b = p["decode_efficiency"], ekey(x, p["backend"])
    if e0 <= 0:
        return None  # measured, or capped at a measurement: not a fitted constant's
    rate = p["datasheet_gbps"] * c[("e", b)]
    if p["gemv_cap_gbps"] > 0:
        # A CUDA pool's cap scales with the fitted bytes per SM and clock; a CPU's (its cores x
        # kCpuDecodeGbpsPerCore) is no fitted constant of this check.
        cuda = p["backend"] == "cuda" and c.get("sm")
        rate = min(rate, p["gemv_cap_gbps"] * (c["sm"] / c0_sm if cuda else 1))
    return rate


def decode_terms(x, c):
    """Decode seconds as a + sum_b (A_b / e_b + B_b x o_b + M_b x m_b) at constants c (which decide
    whether a CUDA pool is bound by its SMs, whose time is then in a): one row's coefficients.
    o: the backend's per-layer overhead, m: its extra per MoE layer (llama.cpp pools only)."""
    a, A, B, M = x["e"]["breakdown"]["comm_s"], defaultdict(float), defaultdict(float), defaultdict(float)
    for p in x["e"]["breakdown"]["pools"]:
        if p["concurrent"]:
            continue
        d, b, eb = p["decode"], p["backend"], ekey(x, p["backend"])
        rate = pool_rate(x, p, c)
        if rate is None or d["compute_s"] > d["weight_s"]:
            a += max(d["weight_s"], d["compute_s"]) + d["kv_s"]
        else:
            # Without flash attention, a share c["fa"] of a GQA group's repeated KV reads.
            gb = (d["weight_bytes"] + d["kv_bytes"] + d.get("kv_reread_bytes", 0) * c.get("fa", 0)) / 1e9
            # An MoE's routed experts at a share s of the rate (MOE_STREAM; 1: as the dense weights).
            gb += d.get("routed_bytes", 0) * (1 / c.get("ms", 1.0) - 1) / 1e9
            kv_gb = (d["kv_bytes"] + d.get("kv_reread_bytes", 0) * c.get("fa", 0)) / 1e9
            unpack = unpack_s(p, c)
            if sm_binds(x, p, c, rate):
                a += gb / rate
            elif unpack > (gb - kv_gb) / rate:
                # Metal's unpacking of sub-block scales outlasts the weights' read (kMetalUnpackFlopsPerWeight).
                a += unpack
                A[eb] += kv_gb / p["datasheet_gbps"]
            else:
                A[eb] += gb / p["datasheet_gbps"]
        if p["layer_overhead_s"] > 0 and p["llama_cpp"] and p["decode_efficiency"] > 0:
            # A Gated DeltaNet layer costs kGdnLayerOverheads more of the backend's per-layer overhead.
            gdn = p["layers"] * x["gdn_share"]
            layers = p["layers"] * (1 + x.get("mla", 0))  # an MLA layer's extra kernels (counted)
            fixed = (layers + gdn * x["g0"]) * p["layer_overhead_s"] + p["moe_layers"] * p["moe_layer_extra_s"]
            a += d["overhead_s"] - fixed  # what is not the backend's (a CPU's Gated DeltaNet layers)
            B[ukey(x, b)] += layers + gdn * c.get("g", 0)
            M[ukey(x, b)] += p["moe_layers"]
        else:
            a += d["overhead_s"]
    return a, A, B, M


def unpack_s(p, c):
    """A Metal pool's seconds unpacking sub-block scales (the K-quants, IQ, MXFP4) at c["unpack"]
    FLOPs a weight over the GPU's datasheet FLOPs (speed.cpp kMetalUnpackFlopsPerWeight)."""
    w = p["decode"].get("unpack_weights", 0)
    return w * c.get("unpack", 0) / (p["datasheet_gflops"] * 1e9) if w > 0 and p["datasheet_gflops"] > 0 else 0.0


def decode_pred(x, c):
    if x["backend"] == "cpu" and CPU_MODEL:
        return cpu_decode_pred(x, c)
    a, A, B, M = decode_terms(x, c)
    t = a + sum(v / c[("e", b)] for b, v in A.items()) + sum(v * layer_s(x, c, b) for b, v in B.items()) + \
        sum(v * c.get(("m", b), 0) for b, v in M.items())
    return 1 / t if t > 0 else None


def layer_s(x, c, b):
    """Backend b's per-layer overhead for row x: today's (what the binary ships), plus what builds
    before 2025 paid more per layer where the fold fitted that (BUILD_ERA)."""
    return c[("o", b)] + (0 if x["current"] else c.get(("d", b), 0))


def prefill_rate(p, c, apu=False):
    """A GPU pool's prompt GEMM rate under constants c: datasheet FP16 x the backend's prefill
    efficiency (x an APU's sustained share), or SMs x clock x FLOPs per SM and clock where that is
    lower (CUDA), or CUs x clock x FLOPs per CU and clock (ROCm: its GEMM on the vector ALUs)."""
    b = p["backend"]
    if p["prefill_efficiency"] <= 0:
        return p["compute_gflops"]
    if ("p", p["_key"]) not in c:
        # A backend key with no fitted efficiency keeps the binary's rate, but an APU's share in it
        # is the one being fitted (an --only subset of the APUs: DGX Spark's unit-less CUDA key).
        return p["compute_gflops"] * (c.get("apu", 1) / c0_apu if apu and b != "cpu" else 1)
    rate = p["datasheet_gflops"] * c[("p", p["_key"])] * (c.get("apu", 1) if apu and b != "cpu" else 1)
    if p["gemm_cap_gflops"] > 0 and b == "cuda" and c.get("mma"):
        rate = min(rate, p["gemm_cap_gflops"] * c["mma"] / c0_mma)
    if p["gemm_cap_gflops"] > 0 and b == "rocm" and ROCM_CU and c.get("rcu"):
        # kRocmGemmFlopsPerCuClock x CUs x clock (x an APU's share, which the binary applied)
        rate = min(rate, p["gemm_cap_gflops"] * c["rcu"] / c0_rcu * (c.get("apu", 1) / c0_apu if apu else 1))
    return rate


def cpu_prefill_pred(x, c):
    """A CPU row's prompt seconds per token: each pool's products at cores x per-core rate of its ISA x
    kPrefillEfficiencyCpu, those on the dot-product path (an uncalibrated CPU's formats that llama.cpp
    neither repacks nor hands to tinyBLAS) at kCpuDotPathOverCompute of that."""
    t = x["ep"]["breakdown"]["prefill_comm_s_per_token"]
    for p in x["ep"]["breakdown"]["pools"]:
        if p["concurrent"] or p["prefill"]["s_per_token"] <= 0:
            continue
        scale = p["compute_gflops"] / prefill_rate(p, c) if p["compute_gflops"] > 0 and p["prefill_efficiency"] > 0 else 1
        dot = p["prefill"].get("dot_path_s", 0)
        t += (p["prefill"]["s_per_token"] - dot) * scale + dot * scale * C0_CPU.get("dot", 1) / c.get("cpu_dot", 1)
    return 1 / t if t > 0 else None


def fit_cpu_prefill(train, c):
    """kPrefillEfficiencyCpu and kCpuDotPathOverCompute: at each dot-path share of a grid, the
    efficiency rescaled by the median over devices of each device's median measured / predicted;
    the grid point scored on the median over devices of each device's median |log error|."""
    rows = [x for x in train if x["backend"] == "cpu" and x["pp"] and x["current"] and cpu_prefill_pred(x, c)]
    if len({x["device"] for x in rows}) < 2:
        rows = [x for x in train if x["backend"] == "cpu" and x["pp"] and cpu_prefill_pred(x, c)]
    if len({x["device"] for x in rows}) < 2 or ("p", "cpu") not in c:
        return c
    best = None
    for dot in ([0.1 + 0.05 * i for i in range(19)] if CPU_DOT else [C0_CPU.get("dot", 1)]):
        trial = dict(c, cpu_dot=dot)
        for _ in range(4):
            by_device = defaultdict(list)
            for x in rows:
                by_device[x["device"]].append(x["pp"] / cpu_prefill_pred(x, trial))
            trial[("p", "cpu")] *= statistics.median(statistics.median(v) for v in by_device.values())
        by_device = defaultdict(list)
        for x in rows:
            by_device[x["device"]].append(abs(math.log(cpu_prefill_pred(x, trial) / x["pp"])))
        err = statistics.median(statistics.median(v) for v in by_device.values())
        if best is None or err < best[0]:
            best = (err, trial)
    return best[1]


def cu_capped(x, c):
    """Whether a ROCm pool's prompt rate is its CUs x clock cap under constants c."""
    for p in x["ep"]["breakdown"]["pools"]:
        if p["backend"] == "rocm" and p["gemm_cap_gflops"] > 0 and p["prefill_efficiency"] > 0 and ROCM_CU and c.get("rcu"):
            if prefill_rate(p, c, x["apu"]) < p["datasheet_gflops"] * c[("p", "rocm")] * (c.get("apu", 1) if x["apu"] else 1):
                return True
    return False


def padding(tpe, tile):
    """An expert's arithmetic over its tokens' when its tpe tokens run in whole tiles of `tile`
    (speed.cpp's expert_tile_fill; 1 without tiles)."""
    return math.ceil(tpe / tile - 1e-9) * tile / tpe if tile and tpe > 0 else 1.0


def tile_fill(p, c):
    """The routed experts' arithmetic under c's tile width (kMoeTileTokens) over the binary's."""
    tpe = p["prefill"]["tokens_per_expert"]
    return padding(tpe, c.get("tile", T0)) / padding(tpe, T0)


def prefill_pred(x, c):
    """Prompt tokens per second under constants c. A GPU MoE's routed experts: their arithmetic at
    the pool's rate before an APU's package-power share (kApuComputeShare), and the weights of the
    experts a micro-batch touches loaded at a share of the decode bandwidth (kMoeExpertReadShare)."""
    if x["backend"] == "cpu" and CPU_MODEL:
        return cpu_prefill_pred(x, c)
    t = x["ep"]["breakdown"]["prefill_comm_s_per_token"]
    for p in x["ep"]["breakdown"]["pools"]:
        if p["concurrent"] or p["prefill"]["s_per_token"] <= 0:
            continue
        scale = p["compute_gflops"] / prefill_rate(p, c, x["apu"]) if p["compute_gflops"] > 0 else 1
        routed = p["prefill"]["routed_experts_s"]
        read = p["prefill"]["expert_read_s"]
        scores = p["prefill"].get("attention_scores_s", 0)  # memory traffic, not arithmetic: not rescaled
        routed_new = routed * scale
        k0, k = (c0_apu, c["apu"]) if x["apu"] and APU_SHARE else (1.0, 1.0)
        if read > 0 and c["kr"] is not None:
            arith, load = (routed - read) * scale * k / k0 * tile_fill(p, c) / c.get("ea", 1.0), read * R0 / c["kr"]
            routed_new = max(arith, load) if MOE_OVERLAP else arith + load
        att = p["prefill"].get("attention_s", 0) if 0 < p["prefill"].get("attention_share", 1) < 1 and A0 else 0
        t += (p["prefill"]["s_per_token"] - routed - scores - att) * scale + routed_new + scores + att_seconds(x, p, c, scale)
    return 1 / t if t > 0 else None


def att_seconds(x, p, c, scale):
    """A pool's flash-attention seconds under c (llama.cpp on a GPU: kGpuAttentionShare of the rate
    before an APU's share); `scale` is the binary's pool rate over c's (prefill_rate)."""
    if not A0 or not 0 < p["prefill"].get("attention_share", 1) < 1:
        return 0.0
    k = c["apu"] / c0_apu if x["apu"] and APU_SHARE else 1.0
    return p["prefill"].get("attention_s", 0) * scale * k * A0 / c.get("att", A0)


def att_frac(x, c):
    """The share of row x's prompt time predicted under c that is llama.cpp's GPU attention kernel
    (what decides which rows fit kGpuAttentionShare): under the constants being fitted, not the
    binary's, so the rows chosen do not depend on what the binary ships (an APU's share moves it)."""
    pred = prefill_pred(x, c) if x["backend"] != "cpu" else None
    if not pred:
        return 0.0
    return pred * sum(att_seconds(x, p, c, p["compute_gflops"] / prefill_rate(p, c, x["apu"]))
                      for p in x["ep"]["breakdown"]["pools"] if not p["concurrent"] and p["compute_gflops"] > 0)


def solve(m, v):
    """Gaussian elimination for a small dense system; None if singular."""
    n = len(v)
    m = [row[:] + [v[i]] for i, row in enumerate(m)]
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[piv][col]) < 1e-300:
            return None
        m[col], m[piv] = m[piv], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    return [m[i][n] / m[i][i] for i in range(n)]


def irls_fit(samples, start, lower, weights=None):
    """Constants minimising sum weight x |pred time / measured time - 1| (median-like, by
    iteratively reweighted least squares): each sample is (a, [features], T), time = a +
    features . theta; theta >= lower, elementwise (u = 1/e >= 1: no faster than the datasheet;
    overheads >= 0). weights: each row's share of its device (every device counts once)."""
    theta = list(start)
    k = len(theta)
    base = weights or [1.0] * len(samples)
    w = list(base)
    # A feature no sample has (no MoE rows, no older builds) keeps its start: its column would make
    # the system singular.
    seen = [j for j in range(k) if any(f[j] != 0 for _, f, _ in samples)]
    # Each sample's non-zero features (index, value / T): a zero adds nothing to any sum below.
    nz = [[(j, fj) for j, fj in enumerate(f) if fj != 0] for _, f, _ in samples]
    for _ in range(25):
        last = list(theta)
        free = list(seen)
        for _ in range(k + 1):
            pos = {j: r for r, j in enumerate(free)}
            n = len(free)
            mat = [[0.0] * n for _ in free]
            vec = [0.0] * n
            for (a, f, T), terms, wi in zip(samples, nz, w):
                y = 1 - (a + sum(fj * theta[j] for j, fj in terms if j not in pos)) / T
                xs = [(pos[j], fj / T) for j, fj in terms if j in pos]
                for r, xr in xs:
                    wx = wi * xr
                    vec[r] += wx * y
                    row = mat[r]
                    for q, xq in xs:
                        row[q] += wx * xq
            sol = solve(mat, vec) if free else []
            if sol is None:
                break
            for j, v in zip(free, sol):
                theta[j] = v
            low = [j for j in free if theta[j] < lower[j]]
            if not low:
                break
            for j in low:
                theta[j] = lower[j]
                free.remove(j)
        if theta == last:  # a fixed point: every later pass repeats this one exactly
            break
        w = [bw / max(abs((a + sum(fj * theta[j] for j, fj in terms)) / T - 1), 0.01)
             for bw, (a, f, T), terms in zip(base, samples, nz)]
    return theta


# --- CPU decode: datasheet bandwidth, per-core streaming, dot-product path, thread barriers -------

def cpu_decode_parts(x, c):
    """One CPU row's decode as fixed seconds, GB read (weights and KV), of them the GB of weights on
    the one-row dot-product path (formats llama.cpp does not repack on that CPU), datasheet GB/s,
    threads, layers x threads and the cores' vector ISA."""
    a, gb, dot, ds, threads, lt = x["e"]["breakdown"]["comm_s"], 0.0, 0.0, 0.0, 0, 0.0
    for p in x["e"]["breakdown"]["pools"]:
        if p["concurrent"]:
            continue
        d = p["decode"]
        if p["decode_efficiency"] <= 0:  # a measured rate: not the constants'
            a += max(d["weight_s"], d["compute_s"]) + d["kv_s"] + d["overhead_s"]
            continue
        gb += (d["weight_bytes"] + d["kv_bytes"]) / 1e9
        # A run of a build before llama.cpp repacked at load time on its ISA (REPACK_FROM) read
        # every format through the one-row dot products.
        dot += (d["weight_bytes"] if x.get("before_repack") else d.get("dot_bytes", 0)) / 1e9
        ds = p["datasheet_gbps"]
        t = x["threads"] if p["gemv_cap_gbps"] > 0 else 0
        threads = t
        sync = p["layers"] * p["layer_overhead_s"]
        a += d["overhead_s"] - sync  # what is not the barriers' (a Gated DeltaNet layer's extra)
        lt += p["layers"] * t
    return a, gb, dot if CPU_FORMAT else 0.0, ds, threads, lt, x.get("simd") or "avx2"


def cpu_clock_mhz_of(x):
    """The clock the binary was given for a CPU row (its entry's), whether or not this check uses it."""
    return x["clock_ghz_given"] * 1000


def cpu_dot_rate(simd, c, ghz=0):
    """Per-core GB/s of the one-row dot products (kCpuDotGbpsPerCore, or kCpuDotGbpsPerCoreGhz x the
    core's clock where known; a scalar core's its share)."""
    rate = c["cpu_dot_ghz"] * ghz if ghz else c["cpu_dotgb"]
    return rate * (1 if simd in ("neon", "avx2", "avx512") else C0_CPU.get("scalar", 1))


def cpu_groups(x, c):
    """(GB, cap GB/s) of a CPU row's two streams: the repacked GEMVs and KV at threads x the per-core
    streaming rate, the dot-product path at threads x its per-core rate; cap None: no core cap."""
    a, gb, dot, ds, threads, lt, simd = cpu_decode_parts(x, c)
    ghz = x["clock_ghz"] if CPU_CLOCK else 0
    core = (c["cpu_core_ghz"] * ghz if ghz and CLOCK_STREAM else c["cpu_core"]) * x.get("line", 1.0)
    fast_cap = threads * core if threads and CPU_CORE else None
    dot_cap = threads * cpu_dot_rate(simd, c, ghz if CLOCK_DOT else 0) * x.get("line", 1.0) if threads and CPU_FORMAT else None
    if fast_cap and dot_cap:
        dot_cap = min(dot_cap, fast_cap)
    return a, ds, lt, [(gb - dot, fast_cap), (dot, dot_cap or fast_cap)]


def cpu_decode_pred(x, c):
    a, ds, lt, groups = cpu_groups(x, c)
    if sum(g for g, _ in groups) <= 0 or ds <= 0:
        return 1 / a if a > 0 else None  # a measured rate: its seconds are the binary's
    mem = ds * c[("e", "cpu")]
    t = a + sum(g / min(mem, cap) if cap else g / mem for g, cap in groups) + lt * c["cpu_sync"]
    return 1 / t if t > 0 else None


def fit_cpu_decode(train, c):
    """The CPU's decode efficiency and barrier cost (IRLS, as fit_decode) at each per-core streaming
    rate and per-core dot-product rate of two grids, searched one after the other (twice); a point
    scored on the median over devices of each device's median |log error| (each device counts
    once: a thread sweep of one chip must not outvote the other chips)."""
    rows = [x for x in train if x["backend"] == "cpu" and x["tg"] and cpu_decode_parts(x, c)[1] > 0]
    if len(rows) < 3:
        return c
    per_device = defaultdict(int)
    for x in rows:
        per_device[x["device"]] += 1
    weights = [1 / per_device[x["device"]] for x in rows]

    def refit(core, dotgb, core_ghz, dot_ghz):
        trial = dict(c, cpu_core=core, cpu_dotgb=dotgb, cpu_core_ghz=core_ghz, cpu_dot_ghz=dot_ghz)
        for _ in range(3):  # which rows the caps bind depends on e
            samples = []
            for x in rows:
                a, ds, lt, groups = cpu_groups(x, trial)
                fixed, lin = a, 0.0
                for g, cap in groups:
                    if cap and cap < ds * trial[("e", "cpu")]:
                        fixed += g / cap
                    else:
                        lin += g / ds
                samples.append((fixed, [lin, lt if CPU_SYNC else 0.0], 1 / x["tg"]))
            u, sync = irls_fit(samples, [1 / trial[("e", "cpu")], trial["cpu_sync"]], [1.0, 0.0], weights)
            trial[("e", "cpu")], trial["cpu_sync"] = 1 / u, sync if CPU_SYNC else 0.0
        by_device = defaultdict(list)
        for x in rows:
            by_device[x["device"]].append(abs(math.log(cpu_decode_pred(x, trial) / x["tg"])))
        return statistics.median(statistics.median(v) for v in by_device.values()), trial

    clocked = CPU_CLOCK and any(x["clock_ghz"] for x in rows)
    clockless = not CPU_CLOCK or any(not x["clock_ghz"] for x in rows)
    grids = {"core": [4 + 2 * i for i in range(24)] if CPU_CORE and (clockless or not CLOCK_STREAM) else [c["cpu_core"]],
             "dotgb": [2 + i for i in range(24)] if CPU_FORMAT and (clockless or not CLOCK_DOT) else [c["cpu_dotgb"]],
             "core_ghz": [1 + 0.25 * i for i in range(37)] if CPU_CORE and clocked and CLOCK_STREAM else [c["cpu_core_ghz"]],
             "dot_ghz": [0.5 + 0.25 * i for i in range(27)] if CPU_FORMAT and clocked and CLOCK_DOT else [c["cpu_dot_ghz"]]}
    # Coordinate descent from two starts, the better kept (the score is a median of medians, flat in
    # steps, so one start can stop short): the shipped constants and session 11's clockless fit
    # (efficiency 0.660, barriers 2.64 us, 12.0 and 7.0 GB/s a core, 2.5 GB/s per GHz), so that a
    # figure does not hinge on which constants the binary ships.
    starts = [({}, {"core": c["cpu_core"], "dotgb": c["cpu_dotgb"], "core_ghz": c["cpu_core_ghz"], "dot_ghz": c["cpu_dot_ghz"]}),
              ({("e", "cpu"): 0.660, "cpu_sync": 2.64e-6 if CPU_SYNC else 0.0},
               {"core": 12.0 if len(grids["core"]) > 1 else c["cpu_core"],
                "dotgb": 7.0 if len(grids["dotgb"]) > 1 else c["cpu_dotgb"],
                "core_ghz": 4.0 if len(grids["core_ghz"]) > 1 else c["cpu_core_ghz"],
                "dot_ghz": 2.5 if len(grids["dot_ghz"]) > 1 else c["cpu_dot_ghz"]})]
    base, best = c, None
    for over, point in starts:
        c = dict(base)
        c.update(over)
        here = refit(**point)
        for _ in range(2):
            for k, grid in grids.items():
                for v in grid:
                    trial = refit(**dict(point, **{k: v}))
                    if trial[0] < here[0] - 1e-12:
                        here, point = trial, dict(point, **{k: v})
        if best is None or here[0] < best[0] - 1e-12:
            best = here
    return best[1]


def sm_binds(x, p, c, rate):
    """Whether a pool streaming at `rate` (pool_rate) is bound by its SMs, not its bandwidth."""
    return p["gemv_cap_gbps"] > 0 and rate < p["datasheet_gbps"] * c[("e", ekey(x, p["backend"]))]


def sm_bound(train, c):
    """Which decode pools their SMs bind at the constants in c (decode_terms' choice)."""
    out = []
    for x in train:
        if x["tg"] is None:
            continue
        for p in x["e"]["breakdown"]["pools"]:
            rate = pool_rate(x, p, c) if not p["concurrent"] else None
            out.append(rate is not None and sm_binds(x, p, c, rate))
    return out


def fit_decode(train, c0, c):
    """Each backend's decode efficiency and per-layer overhead at the bytes per SM and clock in c,
    refitted until the pools their SMs bind stop changing: which ones they are depends on the
    efficiency (decode_terms), so one pass kept the choice of the constants it started from, the
    shipped ones, fitted on every row (the held-out device's included). The same binding refits to
    the same constants: that is the test."""
    bound = sm_bound(train, c)
    for _ in range(FIT_PASSES):
        c = fit_decode_once(train, c0, c)
        now = sm_bound(train, c)
        if now == bound:
            break
        bound = now
    return c


def fit_decode_once(train, c0, c):
    """One pass of fit_decode: the pools' SM binding taken at the constants in c."""
    for b in KEYS:
        if ("e", b) not in c0 or (b == "cpu" and CPU_MODEL):
            continue
        samples, eras = [], defaultdict(set)
        for x in train:
            if x["tg"] is None:
                continue
            a, A, B, M = decode_terms(x, c)
            if set(A) | set(B) <= {b} and A.get(b, 0) > 0:
                old = 0.0 if x["current"] else B.get(b, 0)
                samples.append((a, [A.get(b, 0), B.get(b, 0), M.get(b, 0), old], 1 / x["tg"]))
                if B.get(b, 0) > 0:
                    eras[x["current"]].add(x["device"])
        if len(samples) >= 3:
            moe = sum(1 for _, f, _ in samples if f[2] > 0) >= 5  # enough MoE rows to see their extra
            # Today's per-layer overhead is fitted on 2025+ builds and older builds pay d more where
            # both eras have rows of at least two devices; else one overhead for every build.
            era = BUILD_ERA and ("o", b) in c0 and all(len(eras[k]) >= ERA_MIN_DEVICES for k in (True, False))
            start = [1 / c0[("e", b)], c0.get(("o", b), 0), c0.get(("m", b), 0), 0.0]
            if not moe:
                samples = [(a + f[2] * start[2], [f[0], f[1], 0.0, f[3]], T) for a, f, T in samples]
            if not era:
                samples = [(a, f[:3] + [0.0], T) for a, f, T in samples]
            # Decode rows weigh one each: every device's rows measure the same few constants, and
            # per-device weights scored worse out of sample (LODO 8.0% against 7.8%, 2026-12-06).
            u, o, m, d = irls_fit(samples, start, [1.0, 0.0, 0.0, 0.0])
            c[("e", b)] = 1 / u
            if ("o", b) in c0:
                c[("o", b)] = o
                c[("m", b)] = m if moe else start[2]
                c[("d", b)] = d if era else 0.0
    # Vulkan on Intel GPUs: its own efficiency, at Vulkan's per-layer and MoE overheads.
    if ("e", "vulkan-intel") in c0:
        samples = []
        for x in train:
            if x["tg"] is None:
                continue
            a, A, B, M = decode_terms(x, c)
            if set(A) == {"vulkan-intel"} and set(B) <= {"vulkan"}:
                samples.append((a + B.get("vulkan", 0) * layer_s(x, c, "vulkan") + M.get("vulkan", 0) * c[("m", "vulkan")],
                                [A["vulkan-intel"]], 1 / x["tg"]))
        if len(samples) >= 3:
            c[("e", "vulkan-intel")] = 1 / irls_fit(samples, [1 / c0[("e", "vulkan-intel")]], [1.0])[0]
    return c


_CPU_FITS = {}  # fit_cpu_decode's result by its rows and start: most folds hold out no CPU


def decode_grid(train, c0, c, key, grid, rows):
    """The decode constants refitted (fit_decode) at each value of c[key] on `grid`: those whose
    median |log error| of decode over `rows` is least (the first on a tie)."""
    best = None
    for v in grid:
        trial = fit_decode(train, c0, dict(c, **{key: v}))
        err = statistics.median(abs(math.log(decode_pred(x, trial) / x["tg"])) for x in rows)
        if best is None or err < best[0] - 1e-9:
            best = (err, trial)
    return best[1]


def fit_decode_all(train, c0):
    """Every decode constant, refitted on `train` rows."""
    c = dict(c0)
    if CPU_MODEL:
        key = (tuple(id(x) for x in train if x["backend"] == "cpu"), repr(sorted(c0.items(), key=repr)))
        if key not in _CPU_FITS:
            _CPU_FITS[key] = fit_cpu_decode(train, c)
        c = dict(_CPU_FITS[key])
    # The bytes per SM and clock: a grid, each point with the efficiencies refitted, scored on the
    # median |log error| of the CUDA rows whose device has a known SM count.
    sm_rows = [x for x in train if x["tg"] and any(p["gemv_cap_gbps"] > 0 and p["backend"] == "cuda" for p in x["e"]["breakdown"]["pools"])]
    if len(sm_rows) >= 5:
        best = None
        for sm in [3 + 0.25 * i for i in range(21)]:
            trial = fit_decode(train, c0, dict(c, sm=sm))
            err = statistics.median(abs(math.log(decode_pred(x, trial) * x["tg"] ** -1)) for x in sm_rows)
            if best is None or err < best[0]:
                best = (err, sm, trial)
        c = best[2]
    else:
        c = fit_decode(train, c0, c)
    # The per-layer overheads a Gated DeltaNet layer adds on a GPU: a grid, each point with the
    # decode constants refitted, scored on the median |log error| of the GPU rows of such models.
    gdn_rows = [x for x in train if x["tg"] and x["gdn_share"] > 0 and x["backend"] != "cpu"]
    if GDN and len(gdn_rows) >= 5:
        c = decode_grid(train, c0, c, "g", [0.5 * i for i in range(9)], gdn_rows)
    # The share of the rate an MoE's routed experts stream at (MOE_STREAM): a grid, each point with
    # the decode constants refitted, scored on the median |log error| of the GPU rows of MoE models.
    moe_rows = [x for x in train if x["tg"] and x["backend"] != "cpu" and
                any(p["decode"].get("routed_bytes", 0) > 0 for p in x["e"]["breakdown"]["pools"])]
    if MOE_STREAM and len(moe_rows) >= 5:
        c = decode_grid(train, c0, c, "ms", [0.5 + 0.05 * i for i in range(11)], moe_rows)
    # The share of a GQA group's repeated KV reads (no flash attention) that reaches DRAM: a grid
    # from 0 to 1 (every query head reading its KV head again), each point with the decode constants
    # refitted, scored on the median |log error| of the GPU rows run without flash attention whose
    # repeated reads are at least 10% of their bytes.
    fa_rows = [x for x in train if x["tg"] and fa_weight(x) >= 0.1]
    if FA_REREAD and len(fa_rows) >= 5:
        c = decode_grid(train, c0, c, "fa", [0.1 * i for i in range(11)], fa_rows)
    elif not FA_REREAD:
        c = fit_decode(train, c0, dict(c, fa=0))
    # The FLOPs a Metal weight of a format with sub-block scales costs: a grid, each point with the
    # decode constants refitted, scored on the median |log error| of the Metal rows; only Metal's
    # constants are taken from it (no other backend's rows enter them, and a refit of the others
    # from other starting constants could settle their SM binding elsewhere).
    metal_rows = [x for x in train if x["tg"] and x["backend"] == "metal"]
    if METAL_UNPACK and len({x["device"] for x in metal_rows}) >= 3:
        best = decode_grid(train, c0, c, "unpack", [4 * i for i in range(16)], metal_rows)
        c = dict(c, unpack=best["unpack"])
        c.update({key: v for key, v in best.items() if isinstance(key, tuple) and key[1] == "metal"})
    return c


def fa_weight(x):
    """A row's repeated KV reads without flash attention over its weight and KV bytes."""
    pools = x["e"]["breakdown"]["pools"]
    base = sum(p["decode"]["weight_bytes"] + p["decode"]["kv_bytes"] for p in pools)
    return sum(p["decode"].get("kv_reread_bytes", 0) for p in pools) / base if base else 0


# The constants of mechanisms every backend shares (the MoE loads' share and tile width, with
# --moe-arith their arithmetic's share, the attention's share): fitted where each GPU's units are
# given, as the shipped ones are, and held in the withheld regime's folds (fit's `held`), where
# only the held-out device lacks its units.
SHARED = ("kr", "tile", "att", "ea")


def fit(train, c0, held=None):
    """Every fitted constant, refitted on `train` rows; `held`: SHARED constants to keep."""
    c = fit_decode_all(train, c0)
    # The MoE loads' share, its tile width and the attention's share start from the same values
    # whatever the binary ships (START), before the prompt rates are fitted on rows they enter.
    if R0 is not None:
        c.update(kr=START["kr"], tile=START["tile"])
    if ATT and A0:
        c["att"] = START["att"]
    if held:
        c.update(held)
    # Prefill efficiency per backend, at each FLOPs per SM and clock of a grid: the median of
    # measured / predicted on dense rows scales it (twice: the SM cap decides which rows it moves);
    # the grid point is scored on the CUDA dense rows whose device has a known SM count.
    dense_all = [x for x in train if x["pp"] and not x["moe_prefill"] and
                 any(p["prefill_efficiency"] > 0 for p in x["ep"]["breakdown"]["pools"])]
    dense = [x for x in dense_all if x["current"]]
    # A backend with runs of current builds on fewer than two devices (Metal: the Apple scoreboard
    # carries no per-row date) is fitted on all its builds.
    for b in KEYS:
        if len({x["device"] for x in dense if ukey(x, x["backend"], "prefill") == b}) < 2:
            dense += [x for x in dense_all if ukey(x, x["backend"], "prefill") == b and not x["current"]]
    sm_pp = [x for x in dense if any(p["gemm_cap_gflops"] > 0 and p["backend"] == "cuda" for p in x["ep"]["breakdown"]["pools"])]
    c = fit_rates(c, c0, dense, sm_pp)
    # The ROCm GEMM's FLOPs per CU and clock: a grid scored on the discrete ROCm dense rows whose
    # device has a known CU count, the efficiencies held, then refitted at the chosen point (twice:
    # the cap decides which rows the efficiencies move).
    cu_pp = [x for x in dense if not x["apu"] and
             any(p["gemm_cap_gflops"] > 0 and p["backend"] == "rocm" for p in x["ep"]["breakdown"]["pools"])]
    if ROCM_CU and c0_rcu and len({x["device"] for x in cu_pp}) >= 3:
        for _ in range(2):
            best = None
            for rcu in [60 + 5 * i for i in range(60)]:
                c["rcu"] = rcu
                err = statistics.median(abs(math.log(prefill_pred(x, c) / x["pp"])) for x in cu_pp)
                if best is None or err < best[0]:
                    best = (err, rcu)
            c["rcu"] = best[1]
            c = fit_rates(c, c0, dense, sm_pp)
    # The MoE experts' load share: a grid over GPU MoE rows, given the refitted efficiencies, each
    # device counted once (the median of its rows' |log error|; --moe-by-row: every row once).
    # The GPU attention's share of the GEMM rate: a grid over the prompt rows where attention is at
    # least ATT_MIN of the predicted time (long prompts, deep caches), each device once. The two
    # are fitted in turn (deep MoE rows depend on both).
    # From START (above), so that the rows att_frac picks, and so every fold, do not depend on the
    # binary; each pass picks the deep rows again.
    moe = [x for x in train if x["pp"] and x["current"] and x["moe_prefill"]]
    fitted_att = False
    for _ in range(0 if held else 2):
        deep = [x for x in train if x["pp"] and att_frac(x, c) >= ATT_MIN] if ATT and A0 else []
        if len({x["device"] for x in deep}) >= 2:
            c["att"] = grid_fit(deep, c, "att", [0.05 * i for i in range(2, 41)], by_device=True)
            fitted_att = True
        if len(moe) >= 3 and R0 is not None and MOE_TILE:
            best = None  # the tile width and the loads' share together: each tile, its best share
            for tile in (0, 16, 32, 48, 64, 96, 128, 192, 256) if not MOE_ARITH else (0,):
                for ea in [1.0] if not MOE_ARITH else [0.2 + 0.05 * i for i in range(17)]:
                    trial = dict(c, tile=tile, ea=ea)
                    trial["kr"] = grid_fit(moe, trial, "kr", [0.02 * i for i in range(1, 51)], by_device=MOE_BY_DEVICE)
                    err = moe_error(moe, trial)
                    if best is None or err < best[0]:
                        best = (err, tile, trial["kr"], ea)
            c["tile"], c["kr"], c["ea"] = best[1], best[2], best[3]
        elif len(moe) >= 3 and R0 is not None:
            c["tile"] = 0
            c["kr"] = grid_fit(moe, c, "kr", [0.01 * i for i in range(2, 101)], by_device=MOE_BY_DEVICE)
    # Too few rows to fit one (--only): the binary's.
    if len(moe) < 3 and not held:
        c.update(kr=c0["kr"], tile=c0["tile"])
    if not fitted_att and not held:
        c["att"] = c0["att"]
    if CPU_MODEL:
        c = fit_cpu_prefill(train, c)
    return c


def moe_error(rows, c):
    """The median over devices of each device's median |log error| of prefill on `rows` under c."""
    groups = defaultdict(list)
    for x in rows:
        pred = prefill_pred(x, c)
        if pred:
            groups[x["device"]].append(abs(math.log(pred / x["pp"])))
    return statistics.median(statistics.median(g) for g in groups.values())


def grid_fit(rows, c, key, grid, by_device=True):
    """The value of c[key] on `grid` that minimises the median over devices (or rows) of each one's
    median |log error| of prefill on `rows`, the other constants held."""
    best = None
    for v in grid:
        trial = dict(c)
        trial[key] = v
        groups = defaultdict(list)
        for x in rows:
            pred = prefill_pred(x, trial)
            if pred:
                groups[x["device"] if by_device else id(x)].append(abs(math.log(pred / x["pp"])))
        err = statistics.median(statistics.median(g) for g in groups.values())
        if best is None or err < best[0]:
            best = (err, v)
    return best[1]


def fit_rates(c, c0, dense, sm_pp):
    """The backends' prefill efficiencies and the APU share, at each CUDA FLOPs per SM and clock of
    a grid (scored on sm_pp), on the dense rows."""
    best = None
    for mma in ([200 + 25 * i for i in range(29)] if len(sm_pp) >= 5 else [c0_mma]):
        # Each efficiency starts from 0.5, not the shipped figure, so the fit does not depend on
        # what the binary ships; the median rescaling is repeated until it settles (the SM cap
        # decides which rows a change moves).
        trial = dict(c, mma=mma)
        # (A key with rows of one device, unit-less CUDA among the devices given their units, keeps
        # what the binary applied.)
        trial.update({("p", b): 0.5 for b in KEYS if ("p", b) in c0 and
                      len({x["device"] for x in dense if ukey(x, x["backend"], "prefill") == b and not (APU_SHARE and x["apu"])}) >= 2})
        trial["apu"] = 1.0
        for _ in range(6):
            for b in KEYS:
                if ("p", b) not in c0:
                    continue
                by_device = defaultdict(list)  # every device counts once: the median of its medians
                for x in dense:
                    # ROCm's efficiency is measured on the rows it decides: not where the CU cap does.
                    if ukey(x, x["backend"], "prefill") == b and not (APU_SHARE and x["apu"]) and not (b == "rocm" and cu_capped(x, trial)) \
                            and prefill_pred(x, trial):
                        by_device[x["device"]].append(x["pp"] / prefill_pred(x, trial))
                if len(by_device) >= 2:
                    trial[("p", b)] = trial[("p", b)] * statistics.median(statistics.median(v) for v in by_device.values())
            if APU_SHARE:  # the APUs' sustained share of that, over their dense rows (each APU once)
                by_device = defaultdict(list)
                for x in dense:
                    if x["apu"] and prefill_pred(x, trial):
                        by_device[x["device"]].append(x["pp"] / prefill_pred(x, trial))
                if by_device:
                    trial["apu"] = min(1.0, trial["apu"] * statistics.median(statistics.median(v) for v in by_device.values()))
        err = statistics.median(abs(math.log(prefill_pred(x, trial) / x["pp"])) for x in sm_pp) if sm_pp else 0
        if best is None or err < best[0]:
            best = (err, trial)
    return best[1]


_CV = {}  # what the folds share with the worker processes (inherited by fork)


def _fold(group):
    name, idx = group
    out = set(idx)
    rows = _CV["rows"]
    c = fit([x for i, x in enumerate(rows) if i not in out], _CV["c0"], _CV["held"].get(name))
    return name, {k: c[k] for k in SHARED if k in c}, \
        [(i, (decode_pred(rows[i], c) if rows[i]["tg"] else None, prefill_pred(rows[i], c) if rows[i]["pp"] else None))
         for i in idx]


def cross_validate(rows, key, c0, held=None):
    """Each group's rows predicted by constants fitted on the other groups' rows (the folds in
    parallel, one process a CPU), and each fold's SHARED constants by group; `held`: those to keep
    in each group's fold."""
    groups = defaultdict(list)
    for i, x in enumerate(rows):
        groups[x[key]].append(i)
    _CV.update(rows=rows, c0=c0, held=held or {})
    out, shared = {}, {}
    with multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool:
        for name, sc, part in pool.imap_unordered(_fold, list(groups.items())):
            out.update(part)
            shared[name] = sc
    return out, shared


def baseline(rows):
    """One constant: tg = k x datasheet GB/s / file GB, k fitted on the other devices (LODO)."""
    out = {}
    ok = [i for i, x in enumerate(rows) if x["tg"] and x["file_gib"]]
    for i in ok:
        k = statistics.median(rows[j]["tg"] * rows[j]["file_gib"] * 1.073741824 / rows[j]["bw"]
                              for j in ok if rows[j]["device"] != rows[i]["device"])
        out[i] = k * rows[i]["bw"] / (rows[i]["file_gib"] * 1.073741824)
    return out


def stats(pairs, tol):
    errs = [abs(p / m - 1) for p, m in pairs if p and m]
    if not errs:
        return "      -", 0
    ratio = statistics.median(p / m for p, m in pairs if p and m)
    return (f"{100 * statistics.median(errs):5.1f}% {100 * sum(e <= tol for e in errs) / len(errs):4.0f}% "
            f"{ratio:5.2f} {len(errs):4d}"), len(errs)


def read_back(rows):
    """The constants the binary applied to one regime's rows, read back from their breakdowns (c0)."""
    global R0, A0, T0, c0_sm, c0_mma, c0_rcu, c0_apu
    c0 = shipped(rows)
    for x in rows:
        x["moe_prefill"] = any(p["prefill"]["tokens_per_expert"] > 0 for p in x["ep"]["breakdown"]["pools"])
        for p in x["ep"]["breakdown"]["pools"]:
            a = p["prefill"].get("attention_share", 1)
            if 0 < a < 1:
                A0 = max(A0 or 0, a)  # CUDA's flash attention halves it for wide heads: the largest is the constant
        for p in x["e"]["breakdown"]["pools"]:
            if p["prefill"]["expert_read_share"] > 0:
                R0 = p["prefill"]["expert_read_share"]
                T0 = p["prefill"]["expert_tile_tokens"]
            # the per-SM constants the binary applied: its cap over the SMs x clock given it
            u = UNITS.get(x["run"]["device"].strip(), {})
            units_ghz = (num(u.get("compute_units")) or 0) * (num(u.get("boost_clock_mhz")) or 0) / 1000 if x["units"] else 0
            if units_ghz > 0 and p["gemv_cap_gbps"] > 0:
                c0_sm = p["gemv_cap_gbps"] / units_ghz
            if units_ghz > 0 and p["gemm_cap_gflops"] > 0 and p["backend"] == "cuda":
                c0_mma = p["gemm_cap_gflops"] / units_ghz
            if units_ghz > 0 and p["gemm_cap_gflops"] > 0 and p["backend"] == "rocm" and not x["apu"]:
                c0_rcu = p["gemm_cap_gflops"] / units_ghz
    c0["unpack"] = next((p["decode"]["unpack_s"] * p["datasheet_gflops"] * 1e9 / p["decode"]["unpack_weights"]
                         for x in rows for p in x["e"]["breakdown"]["pools"]
                         if p["decode"].get("unpack_s", 0) > 0), 0.0) if METAL_UNPACK else 0.0
    c0["kr"] = R0
    c0["att"] = A0
    c0["tile"] = T0
    c0["g"] = max(x["g0"] for x in rows) if GDN else 0.0
    c0["fa"] = next((x["fa0"] for x in rows if x["fa0"] is not None), 0.0) if FA_REREAD else 0.0
    # The CPU's shipped per-core rate and barrier cost, from one row's cap and overhead over its threads.
    # A row of a CPU with a clock gives the per-GHz dot-product rate (kCpuDotGbpsPerCoreGhz: the
    # binary applies it wherever the entry has a clock), one without the clockless one.
    for x in rows:
        t = x["threads"] if x["backend"] == "cpu" else 0
        ghz = cpu_clock_mhz_of(x) / 1000
        for p in x["e"]["breakdown"]["pools"]:
            if p["backend"] != "cpu" or not t or p["gemv_cap_gbps"] <= 0:
                continue
            C0_CPU.setdefault("sync", p["layer_overhead_s"] / t)
            C0_CPU.setdefault("core", p["gemv_cap_gbps"] / t / x.get("line", 1.0))
            if p.get("gemv_dot_cap_gbps", 0) > 0 and x["simd"] != "none":
                c0.setdefault("cpu_dot_ghz" if ghz else "cpu_dotgb", p["gemv_dot_cap_gbps"] / t / (ghz or 1) / x.get("line", 1.0))
    c0["cpu_core"], c0["cpu_sync"] = C0_CPU.get("core", 16.5), C0_CPU.get("sync", 0.0) if CPU_SYNC else 0.0
    c0["cpu_core_ghz"] = c0["cpu_core"] / 4  # a trial's start (--cpu-clock-stream): no shipped constant
    c0.setdefault("cpu_dotgb", c0["cpu_core"])
    c0.setdefault("cpu_dot_ghz", c0["cpu_dotgb"] / 4)
    # The dot-path share the binary applied (speed.cpp kCpuDotPathOverCompute), read back from its
    # assumptions.
    for x in rows:
        m = DOT_RE.search(" ".join(x["ep"]["assumptions"]))
        if m:
            C0_CPU["dot"] = float(m.group(1))
            break
    c0["cpu_dot"] = C0_CPU.setdefault("dot", 1.0)
    c0_apu = c0["apu"]
    c0["sm"] = c0_sm
    c0["mma"] = c0_mma
    c0["rcu"] = c0_rcu
    return c0


def evaluate(rows, given=None):
    """One regime: its rows predicted leave one device out, leave one source out, and the constants
    fitted on all of them; `given`: the units-given regime's result, whose folds' SHARED constants
    this one's folds hold."""
    c0 = read_back(rows)
    lodo, lodo_shared = cross_validate(rows, "device", c0, given and given["lodo_shared"])
    loso, loso_shared = cross_validate(rows, "source", c0, given and given["loso_shared"])
    call = fit(rows, c0, given and {k: given["call"][k] for k in SHARED if k in given["call"]})
    return dict(rows=rows, c0=c0, lodo=lodo, loso=loso, call=call, lodo_shared=lodo_shared, loso_shared=loso_shared)


TITLES = {"units": "units given: each GPU's SM / CU count and boost clock from bench/corpus/device_units.csv",
          "no-units": "units withheld: every GPU typed with memory, bandwidth and FP16 only, as a user's --catalog "
                      "entry (the hidden check's condition)"}


def print_depth_slope(res, title):
    """How prompt speed falls with the positions attended, apart from its level: for each pair of
    prompt rows of one run setup (device, backend, model, quant, build, flash attention, micro-batch,
    source) whose mean position attended (depth + prompt / 2) is at least 2000 and twice the
    other's, measured speed ratio against the ratio of the two rows' leave-one-device-out
    predictions (both held out together: one device)."""
    rows, lodo = res["rows"], res["lodo"]
    groups = defaultdict(list)
    for i, x in enumerate(rows):
        r = x["run"]
        if x["pp"] and lodo[i][1]:
            groups[(x["device"], x["backend"], r["model"], r["quant"], r.get("build", ""), r.get("fa", ""),
                    ubatch_of(r), x["source"], r.get("ngl", ""), r.get("threads", ""))].append(i)
    pos = lambda i: (num(rows[i]["run"].get("depth")) or 0) + (num(rows[i]["run"].get("pp_tokens")) or 512) / 2
    errs = []
    for idx in groups.values():
        idx.sort(key=pos)
        a = idx[0]
        for b in idx[1:]:
            if pos(b) >= max(2000, 2 * pos(a)):
                errs.append(abs(math.log((lodo[a][1] / lodo[b][1]) / (rows[a]["pp"] / rows[b]["pp"]))))
    if errs:
        print(f"prefill's fall with depth, {title}: {len(errs)} pairs of rows, median |error| of the predicted "
              f"slowdown {100 * (math.exp(statistics.median(errs)) - 1):.1f}% (leave one device out)")


def print_reproducibility(res, title):
    """How well one published run predicts another: the corpus's own floor. For every row whose
    setup (device, backend, model, quant, depth, GPU count; prompt length for prefill) other
    sources measured too, the geometric mean of those sources' figures is its "prediction", set
    beside the estimator's leave-one-device-out prediction of the same rows. A figure that another
    source lists within 0.5% of this one is taken as a transcription of the same measurement, not
    a second one, and left out. Flash attention and the build are not in the setup: many rows do
    not state the one, and a user does not choose the other."""
    rows, lodo = res["rows"], res["lodo"]
    for what, j, tol, builds in (("decode", 0, 0.2, False), ("prefill", 1, 0.25, False), ("prefill 2025+", 1, 0.25, True)):
        meas = (lambda x: x["tg"]) if j == 0 else (lambda x: x["pp"])
        cells = defaultdict(list)
        for i, x in enumerate(rows):
            r = x["run"]
            if meas(x) and lodo[i][j] and (x["current"] or not builds):
                cells[(x["device"], x["backend"], r["model"], r["quant"], num(r.get("depth")) or 0, r.get("gpus", ""),
                       (num(r.get("pp_tokens")) or 512) if j else 0)].append(i)
        other, ours = [], []
        for idx in cells.values():
            kept = []
            for i in idx:
                if not any(rows[k]["source"] != rows[i]["source"] and abs(meas(rows[i]) / meas(rows[k]) - 1) < 0.005
                           for k in kept):
                    kept.append(i)
            by_source = defaultdict(list)
            for i in kept:
                by_source[rows[i]["source"]].append(math.log(meas(rows[i])))
            if len(by_source) < 2:
                continue
            mean = {s: statistics.mean(v) for s, v in by_source.items()}
            for i in kept:
                rest = [m for s, m in mean.items() if s != rows[i]["source"]]
                other.append((math.exp(statistics.mean(rest)), meas(rows[i])))
                ours.append((lodo[i][j], meas(rows[i])))
        if other:
            print(f"{what + ', ' + title:34} {stats(other, tol)[0]:>30} {stats(ours, tol)[0]:>30}")


def class_pairs(res, k):
    """A class's (predicted, measured) pairs: decode LODO, LOSO, in-sample; prefill LODO on 2025+
    builds, LODO on all, in-sample."""
    rows, lodo, loso = res["rows"], res["lodo"], res["loso"]
    idx = [i for i, x in enumerate(rows) if k == "all" or x["cls"] == k]
    return ([(lodo[i][0], rows[i]["tg"]) for i in idx if rows[i]["tg"]],
            [(loso[i][0], rows[i]["tg"]) for i in idx if rows[i]["tg"]],
            [(rows[i]["e"]["decode_tps"], rows[i]["tg"]) for i in idx if rows[i]["tg"]],
            [(lodo[i][1], rows[i]["pp"]) for i in idx if rows[i]["pp"] and rows[i]["current"]],
            [(lodo[i][1], rows[i]["pp"]) for i in idx if rows[i]["pp"]],
            [(rows[i]["ep"]["prefill_tps"] or None, rows[i]["pp"]) for i in idx if rows[i]["pp"]])


def print_table(res, classes):
    """The regime's table of every class; returns each class's (decode LODO, prefill LODO 2025+) pairs."""
    hdr = "median |err| within  ratio    n"
    print(f"{'':14} {'decode LODO':>28} {'decode LOSO':>28} {'decode in-sample':>28} {'prefill LODO, 2025+ builds':>28} "
          f"{'prefill LODO, all builds':>28} {'prefill in-sample':>28}")
    print(f"{'class':14} " + " ".join(f"{hdr:>28}" for _ in range(6)))
    summary = {}
    for k in classes:
        pairs = class_pairs(res, k)
        cells = [stats(v, 0.25 if j >= 3 else 0.2) for j, v in enumerate(pairs)]
        print(f"{k:14} " + " ".join(f"{c[0]:>28}" for c in cells))
        summary[k] = (pairs[0], pairs[3])
    return summary


def print_side_by_side(results, classes):
    """Both regimes' out-of-sample figures per class, units given beside units withheld."""
    def cell(pairs, tol):
        errs = [abs(p / m - 1) for p, m in pairs if p and m]
        if not errs:
            return f"{'-':>11}"
        ratio = statistics.median(p / m for p, m in pairs if p and m)
        return f"{100 * statistics.median(errs):5.1f}% {100 * sum(e <= tol for e in errs) / len(errs):3.0f}% {ratio:4.2f}"
    cols = (("decode LODO", 0, 0.2), ("decode LOSO", 1, 0.2), ("prefill LODO 2025+", 3, 0.25), ("prefill LODO all", 4, 0.25))
    print("out of sample, units given | units withheld (median |err|, share within, median predicted/measured):")
    print(f"{'class':14} " + " ".join(f"{name:^37}" for name, _, _ in cols))
    for k in classes:
        got = {reg: class_pairs(res, k) for reg, res in results.items()}
        print(f"{k:14} " + " ".join(f"{cell(got['units'][j], tol):>17} | {cell(got['no-units'][j], tol):17}"
                                   for _, j, tol in cols))


def print_constants(res):
    call, c0 = res["call"], res["c0"]
    print("constants fitted on all rows (the form estimator/machine.cpp and speed.cpp hold them; -nu: a CUDA or "
          "ROCm device without its units):")
    for b in KEYS + ("vulkan-intel",):
        parts = []
        if ("e", b) in call:
            parts.append(f"decode efficiency {call[('e', b)]:.3f} (shipped {c0[('e', b)]:.3f})")
        if ("o", b) in call and not (b == "cpu" and CPU_MODEL):  # the CPU's: printed below
            parts.append(f"per-layer overhead {call[('o', b)] * 1e6:.0f} us (shipped {c0[('o', b)] * 1e6:.0f})")
            parts.append(f"MoE layer extra {call[('m', b)] * 1e6:.0f} us (shipped {c0[('m', b)] * 1e6:.0f})")
            if call.get(("d", b)):
                parts.append(f"builds before 2025 {call[('d', b)] * 1e6:.0f} us a layer more (not shipped)")
        if ("p", b) in call:
            parts.append(f"prefill efficiency {call[('p', b)]:.3f} (shipped {c0[('p', b)]:.3f})")
        if parts:
            print(f"  {b:7} " + ", ".join(parts))
    if c0_sm and c0_mma and call.get("sm") and any(x["units"] for x in res["rows"]):
        print(f"  CUDA GEMV bytes per SM and clock kCudaGemvBytesPerSmClock {call['sm']:.2f} (shipped {c0_sm:.2f})")
        print(f"  CUDA GEMM FLOPs per SM and clock kCudaGemmFlopsPerSmClock {call['mma']:.0f} (shipped {c0_mma:.0f})")
    if ROCM_CU and c0_rcu and any(x["units"] for x in res["rows"]):
        print(f"  ROCm GEMM FLOPs per CU and clock kRocmGemmFlopsPerCuClock {call['rcu']:.0f} (shipped {c0_rcu:.0f})")
    print(f"  Gated DeltaNet layer extra, in per-layer overheads kGdnLayerOverheads {call.get('g', 0):.1f} (shipped {c0['g']:.1f})")
    print(f"  KV re-read share without flash attention kNoFlashKvRereadShare {call.get('fa', 0):.1f} (shipped {c0['fa']:.1f})")
    print(f"  Metal FLOPs unpacking a weight with sub-block scales kMetalUnpackFlopsPerWeight {call.get('unpack', 0):.0f} "
          f"(shipped {c0['unpack']:.0f})")
    print(f"  APU sustained share of the prefill rate kApuComputeShare {call['apu']:.2f} (shipped {c0['apu']:.2f})")
    if CPU_MODEL:
        print(f"  CPU dot-product path GB/s per core kCpuDotGbpsPerCore {call['cpu_dotgb']:.1f} (shipped {c0['cpu_dotgb']:.1f})")
        if CPU_CLOCK and CLOCK_DOT:
            print(f"  CPU dot-product path GB/s per core and GHz kCpuDotGbpsPerCoreGhz {call['cpu_dot_ghz']:.2f} "
                  f"(shipped {c0['cpu_dot_ghz']:.2f}), where the clock is known")
        if CPU_CLOCK and CLOCK_STREAM:
            print(f"  trial: CPU decode GB/s per core and GHz {call['cpu_core_ghz']:.2f}, where the clock is known")
        print(f"  CPU decode GB/s per core kCpuDecodeGbpsPerCore {call['cpu_core']:.1f} (shipped {c0['cpu_core']:.1f}); "
              f"barrier per layer and thread kCpuSyncUsPerLayerThread {call['cpu_sync'] * 1e6:.2f} us "
              f"(shipped {c0['cpu_sync'] * 1e6:.2f})")
        if ("p", "cpu") in c0:  # no CPU prefill rows (--only): nothing fitted to print
            print(f"  CPU prefill efficiency kPrefillEfficiencyCpu {call[('p', 'cpu')]:.3f} (shipped {c0[('p', 'cpu')]:.3f}); "
                  f"dot-product path share kCpuDotPathOverCompute {call.get('cpu_dot', 1):.2f} (shipped {c0['cpu_dot']:.2f})")
    if call["kr"] is not None:
        print(f"  MoE experts' load share of the decode bandwidth kMoeExpertReadShare {call['kr']:.2f} (shipped {R0:.2f})")
        print(f"  MoE experts' tile width on a GPU kMoeTileTokens {call.get('tile', T0):.0f} (shipped {T0:.0f}; 0: no padding)")
        if MOE_ARITH:
            print(f"  MoE experts' arithmetic share of the dense rate {call.get('ea', 1.0):.2f} (trial)")
    if A0:
        print(f"  GPU attention's share of the GEMM rate kGpuAttentionShare {call.get('att', A0):.2f} (shipped {A0:.2f})")



def target_checks(summary, classes, coverages):
    """Issue 17's targets, leave one device out (prefill on 2025+ builds), and the bands' coverage."""
    def med(pairs):
        errs = [abs(p / m - 1) for p, m in pairs if p and m]
        return (statistics.median(errs), sum(e <= 0.2 for e in errs) / len(errs), sum(e <= 0.25 for e in errs) / len(errs)) if errs else None
    checks = []
    tg, pp = summary["all"]
    if med(tg):
        checks.append(("decode median |error| <= 8%", med(tg)[0] <= 0.08, f"{100 * med(tg)[0]:.1f}%"))
        checks.append(("decode within +-20% >= 90%", med(tg)[1] >= 0.9, f"{100 * med(tg)[1]:.0f}%"))
    if med(pp):
        checks.append(("prefill median |error| <= 15%", med(pp)[0] <= 0.15, f"{100 * med(pp)[0]:.1f}%"))
        checks.append(("prefill within +-25% >= 80%", med(pp)[2] >= 0.8, f"{100 * med(pp)[2]:.0f}%"))
    for k in classes[1:]:
        tg, pp = summary[k]
        if med(tg):
            checks.append((f"{k} decode median <= 15%", med(tg)[0] <= 0.15, f"{100 * med(tg)[0]:.1f}%"))
        if med(pp):
            checks.append((f"{k} prefill median <= 25%", med(pp)[0] <= 0.25, f"{100 * med(pp)[0]:.1f}%"))
    for (k, what), cov in coverages.items():
        checks.append((f"{k} {what} band covers 75-85%", 0.75 <= cov <= 0.85, f"{100 * cov:.0f}%"))
    return checks


def fp16_sm_bound(rows):
    """--fp16-bound: a CUDA pool typed without its units streams at most FP16 TFLOPS / 1024 (SMs x
    GHz: the corpus' FP16 figure is dense tensor FP16 with FP16 accumulate, 1024 FLOPs per SM and
    clock from Volta to Blackwell's GeForce parts, 2048 on GA100, 4096 on GH100, so an upper bound on
    SMs x clock) x the bytes per SM and clock, refitted as with units. A look at the one unit-free
    bound on SMs x clock; not shipped."""
    for x in rows:
        for p in x["e"]["breakdown"]["pools"]:
            if not x["units"] and p["backend"] == "cuda" and p["datasheet_gflops"] > 0 and p["decode_efficiency"] > 0:
                p["gemv_cap_gbps"] = p["datasheet_gflops"] / 1024 * (c0_sm or 5.25)


def main():
    global c0_sm
    devices, runs, models = load()
    if CACHE and os.path.exists(CACHE):
        # --cache=FILE: the predictions of an earlier run (same binary, same corpus), to try a
        # change to the fitting without running the estimator ~2000 times again.
        with open(CACHE, "rb") as f:
            by_regime, skipped, runs = pickle.load(f)
    else:
        by_regime, skipped = predict_all(devices, runs, models)
        if CACHE:
            with open(CACHE, "wb") as f:
                pickle.dump((by_regime, skipped, runs), f)
    if not any(by_regime.values()):
        print(f"check_accuracy.py: no corpus row predicted{f' (--only={ONLY} matches none)' if ONLY else ''}",
              file=sys.stderr)
        sys.exit(2)
    if FP16_BOUND and "no-units" in by_regime:
        c0_sm = c0_sm or 5.25  # estimator/machine.cpp kCudaGemvBytesPerSmClock where no row shows it
        fp16_sm_bound(by_regime["no-units"])
    results = {}
    for reg in REGIMES:  # units given first: the withheld regime holds its SHARED constants
        results[reg] = evaluate(by_regime[reg], results.get("units") if reg == "no-units" else None)
    first = results[REGIMES[0]]
    rows = first["rows"]
    base = baseline(rows)

    if SHOW_ROWS:
        print(f"{'class':10} {'device':40} {'bk':6} {'model':22} {'quant':7} {'tg':>7} {'in':>5} {'lodo':>5}  {'pp':>7} {'in':>5} {'lodo':>5}"
              + ("  (LODO with units withheld: tg, pp)" if len(results) > 1 else ""))
        f = lambda v: f"{v:5.2f}" if v else "    -"
        for i, x in enumerate(rows):
            tg_in = x["e"]["decode_tps"] / x["tg"] if x["tg"] else None
            pp_in = x["ep"]["prefill_tps"] / x["pp"] if x["pp"] and x["ep"]["prefill_tps"] > 0 else None
            line = ""
            for res in results.values():
                tl, pl = res["lodo"][i]
                line += f" {f(tl / x['tg'] if tl and x['tg'] else None)}  {f(pl / x['pp'] if pl and x['pp'] else None)}"
            print(f"{x['cls']:10} {x['device'][:40]:40} {x['backend']:6} {x['run']['model'][:22]:22} {x['run']['quant'][:7]:7} "
                  f"{x['tg'] or 0:7.1f} {f(tg_in)}  {x['pp'] or 0:7.0f} {f(pp_in)} {line}")
        print()

    ndev = len({x["device"] for x in rows})
    print(f"corpus: {len(runs)} runs in bench/corpus/runs_*.csv; predicted {len(rows)} rows over {ndev} devices, "
          f"{len({x['source'] for x in rows})} sources; {sum(1 for x in rows if x['tg'])} decode and "
          f"{sum(1 for x in rows if x['pp'])} prefill measurements; "
          f"{sum(1 for x in rows if x['backend'] in ('cuda', 'rocm') and x['run']['_units'])} CUDA/ROCm rows with units to withhold")
    for why, n in sorted(skipped.items(), key=lambda kv: -kv[1]):
        print(f"  skipped {n:4d}: {why}")
    classes = ["all"] + sorted({x["cls"] for x in rows})
    summaries, checks = {}, []
    for reg, res in results.items():
        print(f"\n== {TITLES[reg]}\n")
        summaries[reg] = print_table(res, classes)
        if reg == REGIMES[0]:
            bl = [(base[i], rows[i]["tg"]) for i in base]
            print(f"{'baseline':14} {stats(bl, 0.2)[0]:>28}   (one constant: k x datasheet GB/s / file GB, k fitted LODO)")
    print("\nwithin: decode +-20%, prefill +-25%; ratio: median predicted/measured; n: rows with a prediction")
    for reg, res in results.items():
        print_depth_slope(res, TITLES[reg].split(":")[0])
    hdr = "median |err| within  ratio    n"
    print("\nthe corpus's own floor: rows of a setup that other sources measured too, predicted by those sources' "
          f"figures (geometric mean) and by the estimator\n{'':34} {'other sources':>30} {'estimator LODO':>30}\n"
          f"{'':34} {hdr:>30} {hdr:>30}")
    for reg, res in results.items():
        print_reproducibility(res, TITLES[reg].split(":")[0])
    if len(results) > 1:
        print()
        print_side_by_side(results, classes)

    for reg, res in results.items():
        print(f"\n{TITLES[reg]}:")
        print_constants(res)

    # Each regime's bands for its own classes (-no-units: a CUDA or ROCm GPU typed without its units,
    # from the withheld regime); with one regime, every class it has.
    coverages = {}
    for reg, res in results.items():
        print(f"\n{TITLES[reg]}:", end="")
        only = REGIME_BAND_CLASSES[reg] if len(results) > 1 else None
        coverages[reg] = print_bands(res["rows"], res["lodo"], only)

    missed = total = 0
    for reg in results:
        checks = target_checks(summaries[reg], classes, coverages[reg])
        print(f"\ntargets (issue 17), leave one device out, {TITLES[reg].split(':')[0]}:")
        for name, ok, got in checks:
            print(f"  {'ok  ' if ok else 'MISS'} {name:45} {got}")
        missed += sum(not ok for _, ok, _ in checks)
        total += len(checks)
    print(f"{missed} of {total} targets missed")
    return 1 if missed else 0


# --- 80% bands (estimator/accuracy.cpp) ------------------------------------------------------------

BAND_CLASSES = ("cpu", "cpu-arm", "apple", "apu", "gpu-dense", "gpu-moe")
# The estimator's accuracy classes whose 80% bands each regime fits (estimator/accuracy.cpp): a
# CUDA or ROCm GPU typed without its units has bands of its own, from the withheld regime.
REGIME_BAND_CLASSES = {"units": BAND_CLASSES, "no-units": ("gpu-dense-no-units", "gpu-moe-no-units")}
# A backend of a class gets a band of its own where its rows come from at least this many devices
# and rows (fewer: a band of one or two chips' drivers, not of a backend), else the class's band.
BAND_SPLIT_DEVICES, BAND_SPLIT_ROWS = 4, 20
# Tail shares tried at each end, each end on its own (the residuals are skewed: a prediction misses
# slow builds and drivers by more than it misses fast ones).
BAND_TAILS = [0.01 * n for n in range(0, 21)]
# Where the other devices' residuals, even at their extremes, miss a held-out device's rows (a
# class's devices differ by more than its rows within one device do), the band is widened beyond
# the quantiles by a margin in log units, the same at both ends, chosen with the tails.
BAND_MARGINS = [0.05 * n for n in range(0, 11)]


def band_class(x):
    """A row's class in the band table: the estimator's accuracy_class. Another regime (hardware
    typed without its units, say) maps its rows to a class of its own here and gets its own rows
    in accuracy.cpp's table; each class splits by backend where BAND_SPLIT_* allow."""
    return x["e"]["accuracy_class"]


def quantile(v, q):
    """The q-quantile of sorted v, interpolated between order statistics."""
    pos = q * (len(v) - 1)
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def calibrate_band(idx, r, device):
    """The 80% band of log(measured / predicted) over rows idx, calibrated out of sample: every row is
    judged against the band built from the other devices' rows alone, and the tails (each end on its
    own) and the margin are those whose held-out coverage comes closest to 80%, the narrower band on
    a tie. Returns (low, high, held-out coverage, lower tail, upper tail, devices, margin); low =
    high = 0 where fewer than three devices hold the rows (a held-out band would be one chip's)."""
    devs = sorted({device[i] for i in idx})
    if len(devs) < 3:
        return 0.0, 0.0, None, None, None, len(devs), None
    rest = {d: sorted(r[i] for i in idx if device[i] != d) for d in devs}
    everything = sorted(r[i] for i in idx)
    best = None
    for lo_t in BAND_TAILS:
        for hi_t in BAND_TAILS:
            base = {d: (quantile(v, lo_t), quantile(v, 1 - hi_t)) for d, v in rest.items()}
            for m in BAND_MARGINS:
                cov = sum(base[device[i]][0] - m <= r[i] <= base[device[i]][1] + m for i in idx) / len(idx)
                width = quantile(everything, 1 - hi_t) - quantile(everything, lo_t) + 2 * m
                key = (round(abs(cov - 0.8), 6), width)
                if best is None or key < best[0]:
                    best = (key, lo_t, hi_t, m, cov)
    _, lo_t, hi_t, m, cov = best
    return (math.exp(quantile(everything, lo_t) - m), math.exp(quantile(everything, 1 - hi_t) + m), cov, lo_t, hi_t,
            len(devs), m)


def print_bands(rows, lodo, only=None):
    """Each band key's 80% band from the LODO residuals, its held-out coverage, and the table in the
    form estimator/accuracy.cpp holds it. A band whose held-out coverage misses 75-85% at every tail
    is printed as not calibrated ({0, 0}: the estimate says so instead of giving a range)."""
    print("\n80% bands from LODO residuals by the estimator's accuracy_class and backend (measured / "
          "predicted; coverage: each row against the band built from the other devices' rows; tails: "
          "the share left out at each end, chosen for 80% held-out coverage):")
    device = {i: x["device"] for i, x in enumerate(rows)}
    table, coverages = {}, {}
    for what, j in (("decode", 0), ("prefill", 1)):
        meas = (lambda i: rows[i]["tg"]) if j == 0 else (lambda i: rows[i]["pp"])
        r = {i: math.log(meas(i) / lodo[i][j]) for i, x in enumerate(rows) if meas(i) and lodo[i][j]}
        for k in only or BAND_CLASSES + tuple(sorted({band_class(x) for x in rows} - set(BAND_CLASSES))):
            idx = [i for i in r if band_class(rows[i]) == k]
            if len(idx) < 8:
                continue
            by_backend = defaultdict(list)
            for i in idx:
                by_backend[rows[i]["backend"]].append(i)
            split = {b: v for b, v in sorted(by_backend.items())
                     if len({device[i] for i in v}) >= BAND_SPLIT_DEVICES and len(v) >= BAND_SPLIT_ROWS}
            if len(split) == 1 and len(split[next(iter(split))]) == len(idx):
                split = {}  # one backend holds the class: its band is the class's
            groups = [(b, v) for b, v in split.items()] + [("*", idx)]
            for b, v in groups:
                lo, hi, cov, lt, ht, ndev, margin = calibrate_band(v, r, device)
                ok = cov is not None and 0.75 <= cov <= 0.85
                name = f"{k}{'' if b == '*' else ' ' + b}"
                if cov is None:
                    print(f"  {name:18} {what:8} not calibrated: {len(v)} rows from {ndev} devices")
                else:
                    print(f"  {name:18} {what:8} x{lo:.2f} .. x{hi:.2f}   coverage {100 * cov:3.0f}% of {len(v)} rows, "
                          f"{ndev} devices (tails {100 * lt:.0f}% / {100 * ht:.0f}%, margin x{math.exp(margin):.2f})" + ("" if ok else "  NOT CALIBRATED"))
                    coverages[name, what] = cov
                table[k, b, what] = (lo, hi) if ok else (0.0, 0.0)
    print("\nbands in the form estimator/accuracy.cpp holds them ({0, 0}: not calibrated):")
    for k in dict.fromkeys(k for (k, _, _) in table):
        for b in sorted({b for (k2, b, _) in table if k2 == k}, key=lambda b: (b == "*", b)):
            d, p = table.get((k, b, "decode"), (0.0, 0.0)), table.get((k, b, "prefill"), (0.0, 0.0))
            backend = "kAnyBackend" if b == "*" else f"int(Backend::{b})"
            print(f"    {{AccuracyClass::{k.replace('-', '_')}, {backend}, {{{d[0]:.2f}, {d[1]:.2f}}}, {{{p[0]:.2f}, {p[1]:.2f}}}}},")
    return coverages


# Mechanisms that can be switched off to see what each adds out of sample (--no-gdn, --no-apu, --no-rocm-cu,
# --no-intel, --no-fa-reread).
GDN = "--no-gdn" not in sys.argv
FA_REREAD = "--no-fa-reread" not in sys.argv
INTEL = "--no-intel" not in sys.argv
APU_SHARE = "--no-apu" not in sys.argv
# The CPU's decode (cpu_decode_pred): --no-cpu-model keeps the generic path, --no-cpu-core drops the
# per-core streaming cap, --no-cpu-sync the thread barriers. --cpu-only predicts the CPU rows alone
# (a quick look at that class; the whole-corpus targets then mean nothing).
CPU_MODEL = "--no-cpu-model" not in sys.argv
CPU_CORE = "--no-cpu-core" not in sys.argv
CPU_SYNC = "--no-cpu-sync" not in sys.argv
CPU_DOT = "--no-cpu-dot" not in sys.argv  # the dot-product path's share refitted (else kept as shipped)
# --no-cpu-format: every format decodes at the per-core streaming rate (no dot-product path).
# --no-cpu-builds: x86 runs of builds before load-time repacking counted as repacking anyway.
CPU_FORMAT = "--no-cpu-format" not in sys.argv
CPU_BUILDS = "--no-cpu-builds" not in sys.argv
# --no-cpu-clock: every core at the clockless per-core rates, where devices_*.csv gives its clock too
# (else a core's dot-product rate = GB/s per core and GHz x its clock where known: kCpuDotGbpsPerCoreGhz).
CPU_CLOCK = "--no-cpu-clock" not in sys.argv
# The clock scales the one-row dot products' rate (instruction-bound), not the repacked GEMVs'
# streaming (bound by the misses a core keeps in flight): --cpu-clock-stream scales that one too
# (CPU decode LODO 32.7% on 2026-12-06 against 23.2%), --cpu-clock-stream-only that one alone (39.7%).
CLOCK_STREAM = "--cpu-clock-stream" in sys.argv or "--cpu-clock-stream-only" in sys.argv
CLOCK_DOT = "--cpu-clock-stream-only" not in sys.argv

MOE_BY_DEVICE = "--moe-by-row" not in sys.argv
# --no-cpu-line: every CPU's per-core rates as if its cache lines were 64 bytes (no
# device_cache_lines.csv), where a sourced 128-byte line (Apple's M-series) doubles them by default.
CPU_LINE = "--no-cpu-line" not in sys.argv
# --no-cpu-side: a CPU's cores at its package's datasheet bandwidth even where device_cpu_bandwidth.csv
# gives what they read together (Strix Halo's cores: 118 of 256 GB/s).
CPU_SIDE = "--no-cpu-side" not in sys.argv
CPU_ONLY = "--cpu-only" in sys.argv
# --only=REGEX predicts the rows whose "device backend model" matches it (a quick look at a few rows,
# with --rows; fits and targets then cover those rows alone).
ONLY = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--only=")), None)
CACHE = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--cache=")), None)
FIT_PASSES = 1 if "--one-pass" in sys.argv else 6  # fit_decode: passes until its SM binding settles
C0_CPU = {}  # the CPU constants the binary applied, read back from the breakdown
# --no-rocm-cu: ROCm prefill at datasheet FP16 x its efficiency alone, without the CUs x clock cap.
ROCM_CU = "--no-rocm-cu" not in sys.argv
# --build-era: today's per-layer overhead fitted on 2025+ builds, builds before 2025 paying a fitted
# extra per layer (not shipped), where each era has rows of ERA_MIN_DEVICES devices; else one
# overhead per backend for every build, 2023-2026 (the default: the era split scored worse out of
# sample, bench/NOTES.md 2026-12-06 s12-m).
BUILD_ERA = "--build-era" in sys.argv
ERA_MIN_DEVICES = 3
# --moe-stream: an MoE's routed experts stream at a fitted share of the dense rate (not shipped:
# worse out of sample, bench/NOTES.md 2026-12-06 s12-m).
MOE_STREAM = "--moe-stream" in sys.argv
# --no-moe-tile: an MoE's routed arithmetic on a GPU without padding to tiles (the loads' share fitted
# alone), where it is padded to whole tiles of a width fitted with that share by default.
MOE_TILE = "--no-moe-tile" not in sys.argv
# --moe-overlap: the experts' loads and arithmetic overlap (the slower of the two, not their sum;
# not shipped: worse out of sample, bench/NOTES.md 2026-12-07, session 17).
MOE_OVERLAP = "--moe-overlap" in sys.argv
# --moe-arith: the experts' arithmetic at a fitted share of the dense rate, unpadded (a trial).
MOE_ARITH = "--moe-arith" in sys.argv
# --no-metal-unpack: Metal decodes every format at its bytes' pace (no unpacking bound).
METAL_UNPACK = "--no-metal-unpack" not in sys.argv
# --no-attention-share: the GPU attention's share of the GEMM rate held as shipped, not refitted.
ATT = "--no-attention-share" not in sys.argv
ATT_MIN = 0.2  # the rows that decide it: attention at least this share of the predicted prompt time
# Where the fits of the MoE loads' share, its tile width and the attention's share start (fit):
# mid-grid, no padding.
START = {"kr": 0.25, "tile": 0, "att": 0.5}
# Two regimes, each predicted, cross-validated and fitted on its own: units given (each GPU's SM / CU
# count and clock from bench/corpus/device_units.csv) and units withheld (every GPU typed with its
# datasheet's memory, bandwidth and FP16 figure only, as a user adds hardware through --catalog: no
# per-SM or per-CU limit applies). --no-units runs the withheld regime alone, --units-only the other.
FP16_BOUND = "--fp16-bound" in sys.argv
REGIMES = ["no-units"] if "--no-units" in sys.argv else ["units"] if "--units-only" in sys.argv else ["units", "no-units"]

# The per-SM constants the binary applied (estimator/machine.cpp), read back from the breakdown.
c0_sm = c0_mma = c0_rcu = None
c0_apu = 1.0  # the APU share the binary applied

if __name__ == "__main__":
    sys.exit(main())
