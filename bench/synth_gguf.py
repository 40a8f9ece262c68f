#!/usr/bin/env python3
"""Write an F16 GGUF with random weights for one [[model]] shape of the catalog schema.

For bench/check_local_live.py only: llama-quantize turns the F16 file into each quant, and
llama-bench times it next to benchr-advise's prediction in one run. Decode and prefill speed do not
depend on weight values, only on tensor names, shapes and types, which follow llama.cpp's `llama`
and `qwen3moe` architectures, `qwen35` for a dense model with Gated DeltaNet recurrent layers and
`granitehybrid` for one with Mamba2 layers (the entry's recurrent_kind; src/models/*.cpp
create_tensor calls). Pure Python (no numpy): random
f16 bits come from os.urandom with the exponent byte mapped into a range like real weights
(|w| between 2^-9 and 2^-4), norms are 1.0 in f32.
Usage: python3 bench/synth_gguf.py MODELS.toml MODEL_ID OUT.gguf
"""
import argparse, os, struct, sys, tomllib

ALIGN = 32
F32, F16 = 0, 1
T_U32, T_I32, T_F32, T_STR, T_ARR = 4, 5, 6, 8, 9

def gguf_str(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b

def kv(key, vtype, value):
    out = gguf_str(key) + struct.pack("<I", vtype)
    if vtype == T_U32: return out + struct.pack("<I", value)
    if vtype == T_F32: return out + struct.pack("<f", value)
    if vtype == T_STR: return out + gguf_str(value)
    etype, items = value
    body = b"".join(gguf_str(x) for x in items) if etype == T_STR else \
        struct.pack(f"<{len(items)}{'f' if etype == T_F32 else 'i'}", *items)
    return out + struct.pack("<IQ", etype, len(items)) + body

def delta_net(m):
    """A Qwen3.5 Gated DeltaNet layer's (key heads, value heads, head dim) from the catalog's
    recurrent_in_proj = 2 nk d + 2 nv d + 2 nv, recurrent_out_proj = nv d and recurrent_state =
    3 (2 nk d + nv d) + d nv d (llama.cpp's qwen35: key and value heads are ssm_d_state wide)."""
    out, width, state = m["recurrent_out_proj"], m["recurrent_in_proj"], m["recurrent_state"]
    for d in (64, 128, 256):
        nv = out // d
        keys = (width - 2 * out - 2 * nv) // 2
        if nv * d == out and keys % d == 0 and 3 * (2 * keys + out) + d * out == state:
            return keys // d, nv, d
    sys.exit(f"{m['id']}: recurrent_* fields are not a Gated DeltaNet layer")

FULL_ATTENTION_INTERVAL = 4  # llama.cpp qwen35: every 4th layer is full attention

def mamba2(m):
    """A Mamba2 layer's (d_inner, heads) for `granitehybrid` (one group, d_state 128, conv 4: IBM's
    Granite 4.0-H) from recurrent_in_proj = 2 d_inner + 2 x 128 + heads, recurrent_out_proj = d_inner."""
    d_inner = m["recurrent_out_proj"]
    heads = m["recurrent_in_proj"] - 2 * d_inner - 256
    if m["recurrent_state"] != 3 * (d_inner + 256) + 128 * d_inner or heads <= 0:
        sys.exit(f"{m['id']}: recurrent_* fields are not a one-group Mamba2 layer with d_state 128")
    return d_inner, heads

def attention_layer(m, i):
    """Whether layer i attends (the others are recurrent): qwen35 every 4th; granitehybrid spreads
    its attention layers evenly (Granite 4.0-H: 4 of 40)."""
    if ARCH == "qwen35":
        return (i + 1) % FULL_ATTENTION_INTERVAL == 0
    every = m["layers"] // (m["layers"] - m["recurrent_layers"])
    return i % every == every // 2

def tensors(m):
    """(name, dims innermost first, type) in llama.cpp's order."""
    e, hd, v = m["hidden"], m["head_dim"], m["vocab"]
    hybrid = m.get("recurrent_layers", 0) > 0
    q, kvd = m["heads"] * hd * (2 if m.get("attn_output_gate") else 1), m["kv_heads"] * hd
    out = [("token_embd.weight", [e, v], F16), ("output_norm.weight", [e], F32)]
    if not m["tied_embeddings"]:
        out.append(("output.weight", [e, v], F16))
    for i in range(m["layers"]):
        b = f"blk.{i}."
        if ARCH == "granitehybrid":
            out.append((b + "attn_norm.weight", [e], F32))
            if attention_layer(m, i):
                out += [(b + "attn_q.weight", [e, q], F16), (b + "attn_k.weight", [e, kvd], F16),
                        (b + "attn_v.weight", [e, kvd], F16), (b + "attn_output.weight", [q, e], F16)]
            else:
                d_inner, heads = mamba2(m)
                out += [(b + "ssm_in.weight", [e, 2 * d_inner + 256 + heads], F16),
                        (b + "ssm_conv1d.weight", [4, d_inner + 256], F32), (b + "ssm_conv1d.bias", [d_inner + 256], F32),
                        (b + "ssm_dt.bias", [heads], F32),
                        (b + "ssm_a", [1, heads], F32), (b + "ssm_d", [1, heads], F32),
                        (b + "ssm_norm.weight", [d_inner, 1], F32), (b + "ssm_out.weight", [d_inner, e], F16)]
            f = m["ffn"]
            out += [(b + "ffn_norm.weight", [e], F32), (b + "ffn_gate.weight", [e, f], F16),
                    (b + "ffn_up.weight", [e, f], F16), (b + "ffn_down.weight", [f, e], F16)]
            continue
        if hybrid:
            out += [(b + "attn_norm.weight", [e], F32), (b + "post_attention_norm.weight", [e], F32)]
            if not attention_layer(m, i):
                nk, nv, d = delta_net(m)
                out += [(b + "attn_qkv.weight", [e, 2 * nk * d + nv * d], F16), (b + "attn_gate.weight", [e, nv * d], F16),
                        (b + "ssm_conv1d.weight", [4, 2 * nk * d + nv * d], F32), (b + "ssm_dt.bias", [nv], F32),
                        (b + "ssm_a", [nv], F32), (b + "ssm_beta.weight", [e, nv], F16),
                        (b + "ssm_alpha.weight", [e, nv], F16), (b + "ssm_norm.weight", [d], F32),
                        (b + "ssm_out.weight", [nv * d, e], F16)]
            else:
                out += [(b + "attn_q.weight", [e, q], F16), (b + "attn_k.weight", [e, kvd], F16),
                        (b + "attn_v.weight", [e, kvd], F16), (b + "attn_output.weight", [m["heads"] * hd, e], F16),
                        (b + "attn_q_norm.weight", [hd], F32), (b + "attn_k_norm.weight", [hd], F32)]
            f = m["ffn"]
            out += [(b + "ffn_gate.weight", [e, f], F16), (b + "ffn_up.weight", [e, f], F16),
                    (b + "ffn_down.weight", [f, e], F16)]
            continue
        out += [(b + "attn_norm.weight", [e], F32), (b + "attn_q.weight", [e, q], F16),
                (b + "attn_k.weight", [e, kvd], F16), (b + "attn_v.weight", [e, kvd], F16),
                (b + "attn_output.weight", [q, e], F16), (b + "ffn_norm.weight", [e], F32)]
        if m["experts"]:
            x, f = m["experts"], m["expert_ffn"]
            out += [(b + "attn_q_norm.weight", [hd], F32), (b + "attn_k_norm.weight", [hd], F32),
                    (b + "ffn_gate_inp.weight", [e, x], F32),
                    (b + "ffn_gate_exps.weight", [e, f, x], F16), (b + "ffn_up_exps.weight", [e, f, x], F16),
                    (b + "ffn_down_exps.weight", [f, e, x], F16)]
        else:
            f = m["ffn"]
            out += [(b + "ffn_gate.weight", [e, f], F16), (b + "ffn_up.weight", [e, f], F16),
                    (b + "ffn_down.weight", [f, e], F16)]
    return out

def metadata(m):
    hybrid = m.get("recurrent_layers", 0) > 0
    arch = ARCH
    v = m["vocab"]
    # SentencePiece-style vocabulary: unk, bos, eos, the 256 byte tokens llama.cpp looks up, fillers.
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    types = [2, 3, 3] + [6] * 256
    tokens += [f"tok{i}" for i in range(len(tokens), v)]
    types += [1] * (v - len(types))
    out = [kv("general.architecture", T_STR, arch), kv("general.name", T_STR, m["id"] + " (random weights)"),
           kv("general.file_type", T_U32, 1),
           kv(f"{arch}.context_length", T_U32, m["context_max"]), kv(f"{arch}.embedding_length", T_U32, m["hidden"]),
           kv(f"{arch}.block_count", T_U32, m["layers"]), kv(f"{arch}.feed_forward_length", T_U32, m["ffn"]),
           kv(f"{arch}.attention.head_count", T_U32, m["heads"]),
           kv(f"{arch}.attention.head_count_kv", T_ARR, (T_I32, [m["kv_heads"] if attention_layer(m, i) else 0
                                                                 for i in range(m["layers"])]))
           if arch == "granitehybrid" else kv(f"{arch}.attention.head_count_kv", T_U32, m["kv_heads"]),
           kv(f"{arch}.attention.key_length", T_U32, m["head_dim"]),
           kv(f"{arch}.attention.value_length", T_U32, m["head_dim"]),
           # Qwen3.5 rotates a quarter of each head (partial_rotary_factor 0.25).
           kv(f"{arch}.rope.dimension_count", T_U32, m["head_dim"] // 4 if arch == "qwen35" else m["head_dim"]),
           kv(f"{arch}.rope.freq_base", T_F32, 500000.0),
           kv(f"{arch}.attention.layer_norm_rms_epsilon", T_F32, 1e-5),
           kv(f"{arch}.vocab_size", T_U32, v),
           kv("tokenizer.ggml.model", T_STR, "llama"),
           kv("tokenizer.ggml.tokens", T_ARR, (T_STR, tokens)),
           kv("tokenizer.ggml.scores", T_ARR, (T_F32, [0.0] * v)),
           kv("tokenizer.ggml.token_type", T_ARR, (T_I32, types)),
           kv("tokenizer.ggml.unknown_token_id", T_U32, 0), kv("tokenizer.ggml.bos_token_id", T_U32, 1),
           kv("tokenizer.ggml.eos_token_id", T_U32, 2)]
    if arch == "granitehybrid":
        d_inner, heads = mamba2(m)
        out += [kv(f"{arch}.ssm.conv_kernel", T_U32, 4), kv(f"{arch}.ssm.inner_size", T_U32, d_inner),
                kv(f"{arch}.ssm.state_size", T_U32, 128), kv(f"{arch}.ssm.time_step_rank", T_U32, heads),
                kv(f"{arch}.ssm.group_count", T_U32, 1)]
    elif hybrid:
        nk, nv, d = delta_net(m)
        out += [kv(f"{arch}.ssm.conv_kernel", T_U32, 4), kv(f"{arch}.ssm.inner_size", T_U32, nv * d),
                kv(f"{arch}.ssm.state_size", T_U32, d), kv(f"{arch}.ssm.time_step_rank", T_U32, nv),
                kv(f"{arch}.ssm.group_count", T_U32, nk),
                kv(f"{arch}.full_attention_interval", T_U32, FULL_ATTENTION_INTERVAL),
                kv(f"{arch}.rope.dimension_sections", T_ARR, (T_I32, [11, 11, 10, 0]))]
    if m["experts"]:
        out += [kv(f"{arch}.expert_count", T_U32, m["experts"]),
                kv(f"{arch}.expert_used_count", T_U32, m["experts_active"]),
                kv(f"{arch}.expert_feed_forward_length", T_U32, m["expert_ffn"])]
    return out

# High byte of an f16: sign, 5 exponent bits, 2 mantissa bits. Exponents 6..11 give 2^-9..2^-4.
HIGH = bytes(((b & 0x80) | ((6 + (b >> 2) % 6) << 2) | (b & 3)) for b in range(256))
CHUNK = 1 << 24  # elements per write

def write_f16(f, n):
    while n:
        k = min(n, CHUNK)
        buf = bytearray(2 * k)
        buf[0::2] = os.urandom(k)
        buf[1::2] = os.urandom(k).translate(HIGH)
        f.write(buf)
        n -= k

def main():
    global ARCH
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("models", help="a catalog TOML file with [[model]] entries")
    p.add_argument("model_id", help="the [[model]] id to write")
    p.add_argument("out", help="the GGUF file to write")
    args = p.parse_args()
    path, model_id, out = args.models, args.model_id, args.out
    try:
        with open(path, "rb") as f:
            models = tomllib.load(f).get("model", [])
    except (OSError, tomllib.TOMLDecodeError) as e:
        print(f"synth_gguf.py: {path}: {e}", file=sys.stderr)
        return 2
    m = next((x for x in models if x.get("id") == model_id), None)
    if m is None:
        print(f"synth_gguf.py: {path}: no [[model]] with id = \"{model_id}\"", file=sys.stderr)
        return 2
    ARCH = {"gated_delta_net": "qwen35", "mamba2": "granitehybrid"}.get(m.get("recurrent_kind"),
                                                                        "qwen3moe" if m["experts"] else "llama")
    ts, meta = tensors(m), metadata(m)
    offset, infos = 0, []
    for name, dims, t in ts:
        n = 1
        for d in dims: n *= d
        infos.append(gguf_str(name) + struct.pack(f"<I{len(dims)}QIQ", len(dims), *dims, t, offset))
        offset += (n * (2 if t == F16 else 4) + ALIGN - 1) // ALIGN * ALIGN
    with open(out + ".tmp", "wb") as f:
        f.write(b"GGUF" + struct.pack("<IQQ", 3, len(ts), len(meta)) + b"".join(meta) + b"".join(infos))
        f.write(b"\0" * (-f.tell() % ALIGN))
        for name, dims, t in ts:
            n = 1
            for d in dims: n *= d
            if t == F16: write_f16(f, n)
            else: f.write(struct.pack("<f", 1.0) * n if "norm" in name else
                          struct.pack(f"<{n}f", *[((i * 2654435761) % 1000) / 1000 - 0.5 for i in range(n)]))
            f.write(b"\0" * (-f.tell() % ALIGN))
    os.replace(out + ".tmp", out)
    return 0

if __name__ == "__main__":
    sys.exit(main())
