"""Lines per C++ file and the longest functions, for the size figures of issue #20's closing note.

Counts physical lines of every *.cpp / *.hpp under the source folders (build/ and hidden folders
skipped). Functions come from Universal Ctags (kind f, with `end:` lines): a function's length is
end - start + 1, lambdas (ctags names them __anon...) are left out since they are counted inside
the function that holds them. Approximate: ctags parses without the preprocessor.

  python3 bench/code_size.py [--root DIR] [--rev COMMIT] [--top N]

--rev reads the tree of a git commit (via `git archive` into a temporary folder) instead of the
working tree. Exit 2 when ctags or the revision is missing.
"""
import argparse, os, subprocess, sys, tempfile, tarfile, io

SKIP_DIRS = {"build", ".git", "node_modules"}
EXTS = (".cpp", ".hpp")


def sources(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS and not x.startswith("."))
        for f in sorted(files):
            if f.endswith(EXTS):
                yield os.path.relpath(os.path.join(d, f), root)


def file_lines(root):
    out = {}
    for rel in sources(root):
        with open(os.path.join(root, rel), "rb") as fh:
            out[rel] = fh.read().count(b"\n")
    return out


def functions(root, files):
    cmd = ["ctags", "--languages=C++", "--c++-kinds=f", "--fields=+ne", "--extras=+q", "-o", "-"] + files
    try:
        text = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"code_size.py: ctags failed: {e}")
    seen, out = set(), []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) < 4 or parts[0].startswith("__anon") or "__anon" in parts[0].split("::")[-1]:
            continue
        fields = dict(p.split(":", 1) for p in parts[3:] if ":" in p)
        if "line" not in fields or "end" not in fields:
            continue
        key = (parts[1], int(fields["line"]))
        if key in seen:
            continue
        seen.add(key)
        out.append((int(fields["end"]) - int(fields["line"]) + 1, parts[1], int(fields["line"]), parts[0]))
    out.sort(key=lambda r: (-r[0], r[1], r[2]))
    return out


def report(root, top):
    lines = file_lines(root)
    funcs = functions(root, list(lines))
    total = sum(lines.values())
    print(f"{len(lines)} files, {total} lines; {len(funcs)} functions")
    print(f"\nlargest {top} files (lines):")
    for rel, n in sorted(lines.items(), key=lambda kv: (-kv[1], kv[0]))[:top]:
        print(f"  {n:6d}  {rel}")
    print(f"\nlongest {top} functions (lines, file:line, name):")
    for n, f, l, name in funcs[:top]:
        print(f"  {n:6d}  {f}:{l}  {name}")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--rev", help="a git commit to measure instead of the working tree")
    ap.add_argument("--top", type=int, default=10)
    a = ap.parse_args()
    if not a.rev:
        report(a.root, a.top)
        return 0
    try:
        tar = subprocess.run(["git", "archive", a.rev], cwd=a.root, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"code_size.py: --rev {a.rev}: {e}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        tarfile.open(fileobj=io.BytesIO(tar)).extractall(tmp)
        report(tmp, a.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
