"""What the bench/check_accuracy.py tests share: the script imported as a module, and named checks
that print ok/FAIL and set the exit status."""
import os, sys

sys.argv = [sys.argv[0]]  # check_accuracy reads its flags from argv at import
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
import check_accuracy as ca  # noqa: E402,F401

failures = []


def check(name, ok, got):
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {got}")
    if not ok:
        failures.append(name)


def finish():
    print(f"{len(failures)} failed")
    sys.exit(1 if failures else 0)
