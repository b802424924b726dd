#!/usr/bin/env python3
"""Writes the example stream of invoice-extraction used by the README's server tour.

usage: python3 make_stream_examples.py   (standard library only; seeded, so the files are stable)

invoice-stream/reference.csv is the validated reference: invoices as the extraction model saw
them at launch. batch-1.csv and batch-2.csv are ordinary production days; in batch-3.csv a
large supplier changed its invoice layout: more pages, more line items, lower confidence.
"""
import csv
import os
import random

rng = random.Random(20261208)
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "invoice-stream")
os.makedirs(here, exist_ok=True)


def invoice(shifted):
    layout = rng.choices(["classic", "modern", "scanned", "new-2026"],
                         [40, 40, 20, 0] if not shifted else [15, 20, 15, 50])[0]
    pages = max(1, int(rng.gauss(2.4 if shifted else 1.6, 0.8)))
    items = max(1, int(rng.lognormvariate(2.6 if shifted else 2.2, 0.5)))
    confidence = min(1.0, max(0.0, rng.gauss(0.81 if shifted else 0.92, 0.05)))
    return {
        "pages": pages,
        "line_items": items,
        "amount_eur": round(rng.lognormvariate(7.0, 0.9), 2),
        "field_confidence": round(confidence, 3),
        "supplier_country": rng.choice(["DE", "DE", "FR", "NL", "PL", "IT"]),
        "layout": layout,
    }


def write(name, rows, shifted):
    with open(os.path.join(here, name), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(invoice(False).keys()))
        w.writeheader()
        for _ in range(rows):
            w.writerow(invoice(shifted))


write("reference.csv", 2000, False)
write("batch-1.csv", 500, False)
write("batch-2.csv", 500, False)
write("batch-3.csv", 500, True)
