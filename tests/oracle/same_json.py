#!/usr/bin/env python3
"""Whether two fixture files hold the same values: JSON numbers equal to 1e-9 relative (a
fixture regenerated with another numpy or scipy may differ in the last bits; an absolute
tolerance would pass any tiny p-value), everything else exactly. The version strings a
fixture records about the tools that made it are not compared.

usage: same_json.py A B      exits 1 and says where when they differ
"""
import json
import math
import sys

IGNORED = {"numpy", "scipy", "evidently", "pandas", "generator"}


def differences(a, b, path="$"):
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            yield f"{path}: keys {sorted(set(a) ^ set(b))}"
            return
        for k in a:
            if k not in IGNORED:
                yield from differences(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield f"{path}: {len(a)} vs {len(b)} items"
            return
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
            if a != b:
                yield f"{path}: {a!r} vs {b!r}"
        elif not (a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)):
            yield f"{path}: {a!r} vs {b!r}"
    elif a != b:
        yield f"{path}: {a!r} vs {b!r}"


def main() -> int:
    with open(sys.argv[1]) as f:
        a = json.load(f)
    with open(sys.argv[2]) as f:
        b = json.load(f)
    found = list(differences(a, b))
    for d in found[:20]:
        print(f"{sys.argv[2]}: {d}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
