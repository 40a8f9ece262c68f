#!/usr/bin/env python3
"""Does `benchr-advise --budget 100` give the same pick every time, on a quiet machine and on a busy one?

Issue #21 item 9: the calibration used to cache whatever the memory system gave at that moment, so
a new user got six different recommendations in ten minutes. This runs the advice N times in each
of four phases and prints one row per run (pick, decode tok/s, the calibrated CPU read, whether the
calibration kept was judged contended):
  1. quiet, cached: one fresh cache directory (XDG_CACHE_HOME in a temp dir): the first run
     calibrates, the others use the cache;
  2. quiet, fresh: a new cache directory for every run, so each calibrates anew;
  3. loaded, cached: phase 1's cache, with every CPU busy;
  4. loaded, fresh: a new cache directory for every run, with every CPU busy.
"Busy" is one spinning process per CPU (--load spin, the default) or a parallel build of this
project in a temp dir (--load build: git archive of HEAD, cmake, make -j<cpus>, restarted when it
ends). It prints whether each phase, and all runs together, gave one pick, and exits 1 when any two
runs picked differently.
Usage: python3 bench/check_reproducible.py [path/to/benchr-advise] [--runs N] [--load spin|build]
       [--phases 1234]
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("exe", nargs="?", default=os.path.join(ROOT, "build", "app", "benchr-advise"))
ap.add_argument("--runs", type=int, default=10, help="runs per phase [10]")
ap.add_argument("--load", choices=["spin", "build"], default="spin", help="what keeps the CPUs busy [spin]")
ap.add_argument("--phases", default="1234", help="which phases to run [1234]")
ap.add_argument("--advise-args", default="", help="more flags for every run, e.g. \"--min-tps 5\" where nothing here "
                "reaches the default 20 tok/s")
args = ap.parse_args()
if not os.access(args.exe, os.X_OK):
    sys.exit(f"check_reproducible: {args.exe} is not an executable (build first, or pass its path)")


def cache_quality(cache_dir):
    """The `quality` of the one calibration file in cache_dir, or {}."""
    d = os.path.join(cache_dir, "benchr-advise")
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if name.startswith("calibration-") and name.endswith(".json"):
            with open(os.path.join(d, name)) as f:
                return json.load(f).get("quality", {})
    return {}


def advise(cache_dir):
    """One `--budget 100 --json` run with its cache in cache_dir: a row of the table."""
    env = dict(os.environ, XDG_CACHE_HOME=cache_dir)
    t0 = time.monotonic()
    p = subprocess.run([args.exe, "--budget", "100", "--json"] + args.advise_args.split(), env=env, capture_output=True,
                       text=True)
    took = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"check_reproducible: benchr-advise exited {p.returncode}: {p.stderr.strip()}")
    j = json.loads(p.stdout)
    r = j.get("recommended") or {}
    cpu = j["machine"]["devices"][0]
    q = cache_quality(cache_dir)
    # No local pick (nothing reaches --min-tps): the advice is the verdict (use an API), and the
    # nearest local candidate (the first runner-up) is shown beside it.
    near = (j.get("runners_up") or [{}])[0]
    return {
        "pick": f"{r['model']} {r['quant']}" if r else "none: " + j.get("verdict", {}).get("decision", "?"),
        "decode": r.get("decode_tps") if r else None,
        "near": f"{near['model']} {near['quant']} {near['decode_tps']:.1f}" if not r and near else "",
        "gbps": cpu["read_gbps"]["value"],
        "contended": q.get("contended"),
        "seconds": took,
    }


class Load:
    """Keeps every CPU busy while in a `with` block."""

    def __enter__(self):
        self.procs, self.dir = [], None
        cpus = len(os.sched_getaffinity(0))
        if args.load == "spin":
            for _ in range(cpus):
                self.procs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
        else:
            self.dir = tempfile.mkdtemp(prefix="benchr-load-")
            src = os.path.join(self.dir, "src")
            os.mkdir(src)
            archive = subprocess.run(["git", "-C", ROOT, "archive", "HEAD"], capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", src], input=archive, check=True)
            script = (f"while true; do rm -rf {self.dir}/b; cmake -S {src} -B {self.dir}/b -DCMAKE_BUILD_TYPE=Release "
                      f">/dev/null 2>&1; cmake --build {self.dir}/b -j{cpus} >/dev/null 2>&1; done")
            self.procs.append(subprocess.Popen(["bash", "-c", script], start_new_session=True))
        time.sleep(3)  # let the load settle (and /proc/pressure's 10 s average rise)
        return self

    def __exit__(self, *exc):
        for p in self.procs:
            try:
                os.killpg(p.pid, 15) if args.load == "build" else p.terminate()
            except ProcessLookupError:
                pass
            p.wait()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)


rows, temps = [], []


def fresh_dir():
    d = tempfile.mkdtemp(prefix="benchr-repro-")
    temps.append(d)
    return d


def phase(number, name, cached_dir=None):
    for i in range(1, args.runs + 1):
        row = advise(cached_dir if cached_dir else fresh_dir())
        row.update(phase=number, name=name, run=i)
        rows.append(row)
        flag = {True: "yes", False: "no"}.get(row["contended"], "unknown")
        dec = f"{row['decode']:6.1f}" if row["decode"] is not None else "     -"
        print(f"{number}  {name:<15} {i:3d}  {row['pick']:<28} {dec}  {row['gbps']:8.1f}  {flag:<9} {row['seconds']:6.1f}"
              f"  {row['near']}", flush=True)


print(f"benchr-advise --budget 100 {args.advise_args}, {args.runs} runs per phase, load: {args.load} on "
      f"{len(os.sched_getaffinity(0))} CPUs; machine load average now {os.getloadavg()[0]:.1f}\n")
print("ph phase            run  pick                         decode  read GB/s  contended  took s"
      "  (no pick: nearest, tok/s)")
cache = fresh_dir()
try:
    if "1" in args.phases:
        phase(1, "quiet, cached", cache)
    if "2" in args.phases:
        phase(2, "quiet, fresh")
    if "3" in args.phases or "4" in args.phases:
        with Load():
            if "3" in args.phases:
                phase(3, "loaded, cached", cache)
            if "4" in args.phases:
                phase(4, "loaded, fresh")
finally:
    for d in temps:
        shutil.rmtree(d, ignore_errors=True)

print()
failed = False
picks_of = lambda ps: sorted({r["pick"] for r in rows if r["phase"] in ps})
for ps, what in [((1,), "quiet, cached"), ((2,), "quiet, fresh"), ((3,), "loaded, cached"), ((4,), "loaded, fresh"),
                 ((1, 2, 3, 4), "all runs")]:
    picks = picks_of(ps)
    if not picks:
        continue
    print(f"{what:<16} " + ("the same pick: " + picks[0] if len(picks) == 1 else
                            f"{len(picks)} different picks: " + ", ".join(picks)))
    failed |= len(picks) > 1
gb = [r["gbps"] for r in rows]
if gb:
    print(f"calibrated read over all runs: {min(gb):.1f} to {max(gb):.1f} GB/s")
sys.exit(1 if failed else 0)
