#!/usr/bin/env python3
"""The advice an expert would give, checked over every catalog machine.

Runs `benchr-advise advise --json --no-calibrate` on every catalog hardware entry as owned
(`--hardware ID --owned`; graphics cards also 2 and 8 to a machine where that is how they are
bought), and on the recorded machines in tests/probe/machines (hwloc XML the project wrote; add a
folder of other hwloc exports with --machines DIR). Prints a table of picks (machine, model,
quant, engine, decode tok/s, command) and checks properties; exits 1 when one fails:

  fits-and-floor  the pick fits and decodes at the workload's --min-tps at least
  owned-pick      owned hardware always gets a pick
  reproducible    a catalog machine's answer is the same run twice, with the default host named
                  or not, and none of its figures comes from this machine (/proc, hwloc, cgroup,
                  a calibration): its free memory cannot change the answer
  more-memory     of two catalog entries of one chip (same kind, backend, bandwidth, compute and
                  architecture), the one with more memory never gets a lower-quality pick
  no-16-bit       no F16/BF16 pick where Q8_0 of the same model is a quality tie (retention within
                  0.5%, estimator/estimator.hpp kRetentionTie) and decodes faster
  repo-known      every printed command names a Hugging Face repo from the catalog (data/repos.toml
                  or a model's released hf_repo), or says that no published file is known
  small-low-bits  a model under 8B parameters is picked below 4 bits only when none of its 4-bit
                  quants fits and decodes at the plain floor, thinking off or on (a small model is
                  not dropped to 3 bits to clear a thinking model's floor)
  thinking-flag   a pick run with its thinking off says so in its command (llama-server
                  --reasoning off, mlx_lm.server --chat-template-args, vllm serve
                  --default-chat-template-kwargs), and only such a pick does
  long-context    the longest-context top pick's command allocates its context: llama-server -c
                  and vllm serve --max-model-len give its max_context in whole 1024-token steps

With --sweep, the advice a buyer gets instead: every catalog machine bought (`--hardware ID`,
its price amortised) at budgets of 0, 20, 100 and 500 USD a month for three uses -- chat (the
defaults: 32k context, 20 tok/s, one user), agent (128k context, 32k-token prompts) and team (8
users served at once) -- and `plan --budget B` for each, one table row per answer (machine, use,
budget, pick, quant, engine, tok/s, $/month, command), exiting 1 on a pick an expert would reject:

  budget          a bought machine's pick costs no more a month than the budget (at $0 nothing is
                  picked: the purchase itself is a cost), and an API named as the best in budget
                  costs no more than it
  thinking-floor  a thinking model run with its thinking on decodes at 1.5x the floor at least
                  (its answer comes after its thinking); with its thinking off, at the floor
  much-faster     no candidate within 4 quality points of the pick decodes 3x as fast
                  (docs/advice-notes.md: a model that just clears the floor is rarely the pick
                  when a slightly weaker one is 3x faster)
  low-bits        no model under 70B parameters picked below 3 bits (Q2_K, IQ2_*): the dynamic
                  2-bit mixes are for 70B+ dense models and big MoEs
  engine          one user on a consumer machine (GeForce, Radeon RX, Arc, Mac, APU, CPU) runs
                  llama.cpp or MLX, not a datacenter server (vLLM)
  serves-users    a team's command serves its users: llama-server --parallel 8 with -c of
                  8 x the context, or vllm serve --max-num-seqs 8
  agent-context   an agent's command allocates its 128k context
  rental-hourly   a rental in a plan costs its hours up x its hourly price (billed while up)
  plan-floor      a plan's pick decodes at its floor (1.5x for a thinking model with thinking on)

Usage: python3 bench/check_advice.py [--bin build/app/benchr-advise] [--verbose] [--sweep]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MACHINES = os.path.join(ROOT, "tests", "probe", "machines")
DEFAULT_HOST = "cpu-desktop-ddr5-5600-2ch"  # app/cli.hpp kDefaultHost
RETENTION_TIE = 0.005                       # estimator/estimator.hpp kRetentionTie
SMALL_PARAMS_B = 8                          # estimator/estimator.hpp kSmallModelParamsB
BELOW_4_BITS = {"Q3_K_L", "Q3_K_M", "Q3_K_S", "Q2_K", "IQ3_XXS", "IQ2_XXS"}
FOUR_BITS = ["Q4_K_M", "Q4_K_S", "IQ4_XS", "Q4_0", "MLX-4bit", "AWQ-4bit", "GPTQ-4bit"]
THINKING_OFF = {"llama.cpp": "--reasoning off", "MLX": "--chat-template-args",
                "vLLM": "--default-chat-template-kwargs"}
# Multi-GPU machines as they are bought or rented: a pair of used 3090s, an 8-GPU server.
EXTRA = [("rtx-3090", 2), ("rtx-4090", 2), ("h100-sxm", 8), ("h200-sxm", 8), ("mi300x", 8)]
# Sources that would mean this machine's state leaked into a catalog machine's answer.
LIVE_SOURCES = re.compile(r"^(/proc|/sys/|hwloc|cgroup|measured:|calibrat|this machine)")  # "measured:" is a live calibration; a catalog entry's sourced measurement reads "measured N GB/s"


def verdict(failures, checks):
    """Prints the failed checks, or that every one of `checks` passed; the exit status."""
    if failures:
        print(f"\n{len(failures)} failed check(s):")
        for f in failures:
            print("  " + f)
        return 1
    print("every check passed: " + checks)
    return 0

def catalog():
    data = {}
    for name in ("models", "quants", "hardware", "repos"):
        with open(os.path.join(ROOT, "data", name + ".toml"), "rb") as f:
            data[name] = tomllib.load(f)
    repos = {r["id"] for r in data["repos"].get("repo", [])}
    repos |= {m["hf_repo"] for m in data["models"]["model"] if m.get("hf_repo")}
    quants = {q["id"]: q for q in data["quants"]["quant"]}
    params = {m["id"]: m["params_b"] for m in data["models"]["model"]}
    published = {}  # model: the quants some catalog repo publishes (what advice offers)
    for r in data["repos"].get("repo", []):
        published.setdefault(r["model"], set()).update(r.get("quants", []))
    return data["hardware"]["hardware"], repos, quants, params, published


def run(binary, args):
    p = subprocess.run([binary, *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}")
    return json.loads(p.stdout)


def repo_of(command):
    """The repo a launch command downloads, or None when it says none is published."""
    if command.startswith("(no published"):
        return None
    for pattern in (r"-hf ([^ :]+)", r"mlx_lm\.server --model ([^ ;]+)", r"vllm serve ([^ ;]+)"):
        m = re.search(pattern, command)
        if m:
            return m.group(1)
    return ""


def live_strings(node, path=""):
    """Every string in a JSON tree that names a live source, with where it is."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from live_strings(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from live_strings(v, f"{path}[{i}]")
    elif isinstance(node, str) and path.endswith("source") and LIVE_SOURCES.search(node):
        yield f"{path}: {node}"


BUDGETS = [0, 20, 100, 500]
USES = {"chat": [], "agent": ["--context", "131072", "--prompt-tokens", "32768"], "team": ["--users", "8"]}
THINKING_FACTOR = 1.5        # estimator decode_floor: a thinking model's floor is 1.5x --min-tps
MUCH_FASTER = 3.0            # estimator/estimator.hpp kMuchFasterFactor
FASTEST_GOOD_POINTS = 4.0    # 2 x kQualityTiePoints
LOW_BITS = {"Q2_K", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ1_S", "IQ1_M"}
CONSUMER = re.compile(r"GeForce|Radeon RX|Arc |Intel Arc")


def sweep_rules(label, use, budget, r, a, thinks, params, consumer, floor, failures):
    """The expert's rules on one advise answer's pick `r` (see the module docstring)."""
    want = floor * (THINKING_FACTOR if thinks and not r.get("thinking_off") else 1)
    if r["decode_tps"] < want - 1e-9:
        failures.append(f"thinking-floor: {label} {use} ${budget}: {r['model']} {r['quant']} "
                        f"{r['decode_tps']:.1f} tok/s < {want:g}")
    cost = r["cost"]["total_usd"]
    if cost is not None and cost > budget + 1e-9:
        failures.append(f"budget: {label} {use} ${budget}: pick costs ${cost:.0f}/month")
    best = a.get("api_best_in_budget")
    if best and best.get("usd", 0) > budget + 1e-9:
        failures.append(f"budget: {label} {use} ${budget}: best API in budget costs ${best['usd']:.0f}")
    fg = (a.get("top_picks") or {}).get("fastest_good")
    if fg and r["quality"] - fg["quality"] <= FASTEST_GOOD_POINTS and fg["decode_tps"] >= MUCH_FASTER * r["decode_tps"]:
        failures.append(f"much-faster: {label} {use} ${budget}: {r['model']} {r['quant']} at {r['decode_tps']:.1f} "
                        f"tok/s where {fg['model']} {fg['quant']} decodes {fg['decode_tps']:.1f}")
    if r["quant"] in LOW_BITS and params.get(r["model"], 0) < 70:
        failures.append(f"low-bits: {label} {use} ${budget}: {r['model']} ({params.get(r['model'])}B) at {r['quant']}")
    if consumer and r["users"] == 1 and r["engine"] == "vLLM":
        failures.append(f"engine: {label} {use} ${budget}: one user on a consumer machine served by vLLM")
    if use == "team":
        ctx = a["workload"]["context_tokens"]
        ok = (r["engine"] == "vLLM" and "--max-num-seqs 8" in r["launch"]) or \
             ("--parallel 8" in r["launch"] and f"-c {8 * ctx}" in r["launch"]) or r["engine"] == "MLX"
        if not ok:
            failures.append(f"serves-users: {label} team ${budget}: {r['launch']}")
    if use == "agent" and r["engine"] != "MLX" and not re.search(r"(-c|--max-model-len) 131072", r["launch"]):
        failures.append(f"agent-context: {label} agent ${budget}: {r['launch']}")


def sweep(args, hardware, params, thinking):
    """Every catalog machine bought, at each budget and use; then plan --budget for each."""
    rates = {x["rental"]: x["usd_per_hour"] for x in run(args.bin, ["prices", "--json"]) if "rental" in x}
    failures, rows = [], 0
    print(f"{'machine':<30} {'use':<5} {'$':>4} {'model':<28} {'quant':<9} {'engine':<9} {'tok/s':>6} "
          f"{'$/mo':>5}  command")
    for hw in hardware:
        consumer = hw["kind"] in ("apple", "apu", "cpu") or bool(CONSUMER.search(hw["name"]))
        for use, flags in USES.items():
            for budget in BUDGETS:
                a = run(args.bin, ["--json", "--no-calibrate", "--hardware", hw["id"], "--budget", str(budget), *flags])
                r, rows = a["recommended"], rows + 1
                if r is None:
                    if args.verbose:
                        print(f"{hw['id']:<30} {use:<5} {budget:>4} (no pick: {a['verdict']['reason'][:80]})")
                    continue
                model = r["model"] + (" (no think)" if r.get("thinking_off") else "")
                cost = r["cost"]["total_usd"]
                print(f"{hw['id']:<30} {use:<5} {budget:>4} {model:<28} {r['quant']:<9} {r['engine']:<9} "
                      f"{r['decode_tps']:>6.1f} {'?' if cost is None else round(cost):>5}  {r['launch']}")
                sweep_rules(hw["id"], use, budget, r, a, thinking.get(r["model"], False), params, consumer,
                            a["workload"]["min_decode_tps"], failures)
    print(f"\n{'plan':<10} {'use':<5} {'$':>4} {'model':<28} {'quant':<9} {'how':<40} {'tok/s':>6} {'$/mo':>5}")
    for use, flags in USES.items():
        for budget in BUDGETS:
            p = run(args.bin, ["plan", "--json", "--no-calibrate", "--budget", str(budget), *flags])
            floor = p["workload"]["min_decode_tps"]
            for o in p["local"][:3]:
                rows += 1
                model = o["model"] + (" (no think)" if o.get("thinking_off") else "")
                how = f"{o['how']} {o['rental'] or o['label']}"
                print(f"{'plan':<10} {use:<5} {budget:>4} {model:<28} {o['quant']:<9} {how:<40} "
                      f"{o['decode_tps']:>6.1f} {round(o['monthly_usd'] or 0):>5}")
            for o in p["local"]:
                want = floor * (THINKING_FACTOR if thinking.get(o["model"]) and not o.get("thinking_off") else 1)
                if o["decode_tps"] < want - 1e-9:
                    failures.append(f"plan-floor: {use} ${budget}: {o['model']} {o['quant']} on {o['label']} "
                                    f"{o['decode_tps']:.1f} tok/s < {want:g}")
                if o["monthly_usd"] is not None and o["monthly_usd"] > budget + 1e-9:
                    failures.append(f"budget: plan {use} ${budget}: {o['model']} on {o['label']} ${o['monthly_usd']:.0f}")
                if o["how"] == "rent":
                    billed = o["cost"]["up_hours"] * rates[o["rental"]] * max(1, o["count"] // max(1, o["gpus"]))
                    if abs(billed - o["monthly_usd"]) > 0.01 * billed + 0.01:
                        failures.append(f"rental-hourly: {use} ${budget}: {o['rental']} ${o['monthly_usd']:.2f} "
                                        f"for {o['cost']['up_hours']:.0f} h at ${rates[o['rental']]}/h")
    print(f"\n{rows} answers")
    return verdict(failures, "budget, thinking-floor, much-faster, low-bits, engine, serves-users, agent-context, "
                             "rental-hourly, plan-floor")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "app", "benchr-advise"))
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--sweep", action="store_true",
                    help="every catalog machine bought, at budgets 0/20/100/500 and uses chat/agent/team, and plan")
    ap.add_argument("--machines", action="append", default=[MACHINES],
                    help="a folder of hwloc XML exports to advise on as well (repeatable)")
    args = ap.parse_args()
    hardware, repos, quants, params, published = catalog()
    if args.sweep:
        with open(os.path.join(ROOT, "data", "models.toml"), "rb") as f:
            thinking = {m["id"]: m.get("thinking", False) for m in tomllib.load(f)["model"]}
        return sweep(args, hardware, params, thinking)

    cases = []  # (label, args, catalog entry or None)
    for hw in hardware:
        cases.append((hw["id"], ["--hardware", hw["id"], "--owned"], hw))
    by_id = {hw["id"]: hw for hw in hardware}
    for hw_id, n in EXTRA:
        if hw_id in by_id:
            cases.append((f"{n}x {hw_id}", ["--hardware", hw_id, "--gpus", str(n), "--owned"], by_id[hw_id]))
    for folder in args.machines:
        for name in sorted(os.listdir(folder)):
            if name.endswith(".xml"):
                cases.append((f"hwloc {name}", ["--machine", os.path.join(folder, name)], None))

    failures = []
    picks = {}
    print(f"{'machine':<32} {'model':<24} {'quant':<9} {'engine':<9} {'tok/s':>6}  command")
    for label, extra, hw in cases:
        base = ["--json", "--no-calibrate", *extra]
        try:
            a = run(args.bin, base)
        except RuntimeError as e:
            failures.append(f"{label}: {e}")
            continue
        r = a["recommended"]
        floor = a["workload"]["min_decode_tps"]
        if r is None:
            failures.append(f"owned-pick: {label} gets no pick ({a['verdict']['reason']})")
            print(f"{label:<32} (no pick)")
            continue
        picks[label] = r
        model = r["model"] + (" (no think)" if r.get("thinking_off") else "")
        print(f"{label:<32} {model:<24} {r['quant']:<9} {r['engine']:<9} {r['decode_tps']:>6.1f}  {r['launch']}")
        if not r["fits"] or r["decode_tps"] < floor:
            failures.append(f"fits-and-floor: {label}: {r['model']} {r['quant']} fits={r['fits']} "
                            f"{r['decode_tps']:.1f} tok/s < {floor}")
        repo = repo_of(r["launch"])
        if repo is None:
            if args.verbose:
                print(f"  note: {label}: no published file of the pick is known")
        elif repo not in repos:
            failures.append(f"repo-known: {label}: '{repo}' is not a catalog repo ({r['launch']})")
        if r["quant"] in ("F16", "BF16"):
            q8 = run(args.bin, ["estimate", "--model", r["model"], "--quant", "Q8_0", *base[:2], *extra])
            tie = abs(quants["Q8_0"]["quality_retention"] - quants[r["quant"]]["quality_retention"]) <= RETENTION_TIE
            if q8["fits"] and tie and q8["decode_tps"] > r["decode_tps"]:
                failures.append(f"no-16-bit: {label}: {r['model']} {r['quant']} at {r['decode_tps']:.1f} tok/s "
                                f"where Q8_0 decodes {q8['decode_tps']:.1f}")
        if params.get(r["model"], SMALL_PARAMS_B) < SMALL_PARAMS_B and r["quant"] in BELOW_4_BITS:
            for q in FOUR_BITS:
                if q not in published.get(r["model"], set()):
                    continue  # not offered: no published file
                try:
                    e = run(args.bin, ["estimate", "--model", r["model"], "--quant", q, *base[:2], *extra])
                except RuntimeError:
                    continue  # not offered for this model or machine
                if e["fits"] and e["decode_tps"] >= floor:
                    failures.append(f"small-low-bits: {label}: {r['model']} at {r['quant']} where {q} fits and "
                                    f"decodes {e['decode_tps']:.1f} tok/s >= {floor}")
                    break
        flag = THINKING_OFF.get(r["engine"], "")
        if r.get("thinking_off") and flag not in r["launch"]:
            failures.append(f"thinking-flag: {label}: {r['model']} runs with thinking off but its command lacks "
                            f"'{flag}': {r['launch']}")
        if not r.get("thinking_off") and any(f in r["launch"] for f in THINKING_OFF.values()):
            failures.append(f"thinking-flag: {label}: {r['model']} thinks but its command turns thinking off")
        lc = (a.get("top_picks") or {}).get("longest_context")
        if lc and lc["engine"] in ("llama.cpp", "vLLM"):
            want = max(a["workload"]["context_tokens"], lc["max_context"] // 1024 * 1024)
            flag = r"-c (\d+)" if lc["engine"] == "llama.cpp" else r"--max-model-len (\d+)"
            got = re.search(flag, lc["launch"])
            if not got or int(got.group(1)) != want:
                failures.append(f"long-context: {label}: {lc['model']} {lc['quant']} fits {lc['max_context']} tokens "
                                f"but its command allocates {got.group(1) if got else 'none'}: {lc['launch']}")
        if hw is not None:
            again = extra + (["--host", DEFAULT_HOST] if hw["kind"] == "gpu" else [])
            b = run(args.bin, ["--json", "--no-calibrate", *again])
            if json.dumps(b["recommended"], sort_keys=True) != json.dumps(r, sort_keys=True):
                failures.append(f"reproducible: {label}: a second run answers differently")
            for s in live_strings(a["machine"]):
                failures.append(f"reproducible: {label}: a figure from this machine: {s}")

    # More memory never lowers quality: entries of one chip, ordered by memory.
    chips = {}
    for hw in hardware:
        key = (hw["kind"], hw["backend"], hw["memory_bandwidth_gbps"], hw["fp16_tflops"], hw.get("arch", ""))
        chips.setdefault(key, []).append(hw)
    pairs = 0
    for same in chips.values():
        same.sort(key=lambda h: h["memory_gib"])
        for small, big in zip(same, same[1:]):
            if small["memory_gib"] == big["memory_gib"] or small["id"] not in picks or big["id"] not in picks:
                continue
            pairs += 1
            qs, qb = picks[small["id"]]["quality"], picks[big["id"]]["quality"]
            if qb < qs - 1e-9:
                failures.append(f"more-memory: {big['id']} ({big['memory_gib']} GiB) picks quality {qb:.1f}, "
                                f"below {small['id']} ({small['memory_gib']} GiB) at {qs:.1f}")
    print(f"\n{len(cases)} machines, {len(picks)} picks; {pairs} pairs of one chip with more memory compared")
    return verdict(failures, "fits-and-floor, owned-pick, reproducible, more-memory, no-16-bit, repo-known, "
                             "small-low-bits, thinking-flag, long-context")


if __name__ == "__main__":
    sys.exit(main())
