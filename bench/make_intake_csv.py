#!/usr/bin/env python3
"""A CSV batch for the server's intake benchmark: ROWS rows of ten numeric columns
(about 80 bytes a row), seeded, so every run posts the same bytes.

    python3 bench/make_intake_csv.py ROWS OUT.csv
"""
import random
import sys

rows, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20261208)
with open(out, "w") as f:
    f.write(",".join(f"c{i}" for i in range(10)) + "\n")
    for _ in range(rows):
        f.write(",".join(f"{rng.gauss(100, 15):.3f}" for _ in range(10)) + "\n")
