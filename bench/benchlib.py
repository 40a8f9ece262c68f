"""What the bench/ checks share: the command line (--bin), the targets a check states and its exit
status, extra catalog entries, `estimate --json`, golden output.

Every check is a main() that parses its arguments with parser() and ends with `return
targets.status()`: 0 when every stated target is met, 1 when one is missed, 2 on bad input (a
missing binary or file). python3 bench/CHECK.py --help prints each one's flags.
"""
import argparse, difflib, json, os, subprocess, sys, tempfile, tomllib

HERE = os.path.dirname(os.path.abspath(__file__))

# The published scoreboards' model (meta-llama/Llama-2-7b config.json) and its 70B sibling (Llama-3
# 70B's shape with a 32000-token vocabulary, meta-llama/Llama-2-70b-hf config.json).
LLAMA_2 = '''[[model]]
id = "llama-2-7b"
name = "LLaMA-2 7B"
params_b = 6.74
layers = 32
hidden = 4096
heads = 32
kv_heads = 32
head_dim = 128
ffn = 11008
vocab = 32000
tied_embeddings = false
context_max = 4096
experts = 0
experts_active = 0
expert_ffn = 0
license = "llama2"
quality = 0
source = "meta-llama/Llama-2-7b config.json"

[[model]]
id = "llama-2-70b"
name = "LLaMA-2 70B"
params_b = 68.98
layers = 80
hidden = 8192
heads = 64
kv_heads = 8
head_dim = 128
ffn = 28672
vocab = 32000
tied_embeddings = false
context_max = 4096
experts = 0
experts_active = 0
expert_ffn = 0
license = "llama2"
quality = 0
source = "meta-llama/Llama-2-70b-hf config.json"
'''


DEFAULT_BIN = os.path.join(HERE, "..", "build", "app", "benchr-advise")
VALIDATION = os.path.join(HERE, "validation")


def exe():
    """The binary: the first argument, else build/app/benchr-advise (bench_cli.py's form; the checks
    take --bin through parser())."""
    return sys.argv[1] if len(sys.argv) > 1 else DEFAULT_BIN


class InputProblem(Exception):
    """Bad input to a check (a missing binary or file): exit status 2 with the message."""


def parser(doc):
    """An argument parser with the check's docstring as its help and --bin for the binary."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", default=DEFAULT_BIN, help="the benchr-advise binary (default: build/app/benchr-advise)")
    return p


def binary(args):
    """args.bin, checked: an executable file, else InputProblem."""
    if not (os.path.isfile(args.bin) and os.access(args.bin, os.X_OK)):
        raise InputProblem(f"--bin {args.bin}: no executable there (build it: cmake --build build)")
    return args.bin


def existing(path, what):
    """`path` when it exists, else InputProblem naming `what`."""
    if not os.path.exists(path):
        raise InputProblem(f"{what} {path}: no such file or folder")
    return path


class Targets:
    """The targets a check states, each met or missed; status() is the check's exit status."""

    def __init__(self):
        self.missed = []
        self.checked = 0

    def check(self, what, value, ok, target):
        """Prints `what: value (target ...): meets | MISSES` and records a miss."""
        self.checked += 1
        verdict = "meets" if ok else "MISSES"
        print(f"target: {what}: {value} (target {target}): {verdict}")
        if not ok:
            self.missed.append(what)
        return ok

    def at_most(self, what, value, limit, unit=""):
        return self.check(what, f"{value:.3g}{unit}", value <= limit, f"<= {limit:g}{unit}")

    def at_least(self, what, value, limit, unit=""):
        return self.check(what, f"{value:.3g}{unit}", value >= limit, f">= {limit:g}{unit}")

    def status(self):
        if self.missed:
            print(f"\n{len(self.missed)} of {self.checked} target(s) missed: " + "; ".join(self.missed))
            return 1
        print(f"\nall {self.checked} target(s) met" if self.checked else "\nno target checked")
        return 0


def run_main(main):
    """Runs a check's main(): its status, or 2 with the message on InputProblem."""
    try:
        sys.exit(main())
    except InputProblem as e:
        print(f"{os.path.basename(sys.argv[0])}: {e}", file=sys.stderr)
        sys.exit(2)


def compare_golden(text, golden, update, targets):
    """`text` against the golden file: a target (identical), or with `update` the file rewritten."""
    if update:
        with open(golden, "w") as f:
            f.write(text)
        print(f"golden file {golden} written")
        return
    want = open(existing(golden, "golden file")).read()
    diff = list(difflib.unified_diff(want.splitlines(), text.splitlines(), golden, "output", lineterm="", n=1))
    for line in diff[:40]:
        print(line)
    targets.check(f"output as {os.path.relpath(golden, HERE)}", f"{len(diff)} diff lines", not diff,
                  "identical (--update-golden rewrites it)")


def catalog_file(*texts):
    """A temporary catalog file holding `texts`; the caller removes it."""
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write("\n".join(texts))
        return f.name


def estimate(binary, catalog, *args):
    """`estimate --json` with `args`, on a catalog file: the parsed result, or (None, stderr)."""
    out = subprocess.run([binary, "--catalog", catalog, "estimate", *args, "--json"], capture_output=True, text=True)
    if out.returncode != 0:
        return None, out.stderr.strip()
    return json.loads(out.stdout), ""


def catalog_models():
    """The embedded catalog's models (data/models.toml) by id, as TOML tables."""
    with open(os.path.join(HERE, "..", "data", "models.toml"), "rb") as f:
        return {m["id"]: m for m in tomllib.load(f)["model"]}
