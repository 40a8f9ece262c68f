"""What the bench/ checks share: the built binary, extra catalog entries, `estimate --json`."""
import json, os, subprocess, sys, tempfile, tomllib

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


def exe():
    """The binary: the first argument, else build/app/benchr-advise."""
    return sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "build", "app", "benchr-advise")


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
