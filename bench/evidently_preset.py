#!/usr/bin/env python3
"""The reference tool's whole job on the same files: Evidently's DataDriftPreset report.

usage: evidently_preset.py REFERENCE.parquet CURRENT.parquet   (prints seconds to stderr)
Measuring only; never a runtime dependency of Steward.
"""
import sys
import time

import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset

t0 = time.time()
ref, cur = pd.read_parquet(sys.argv[1]), pd.read_parquet(sys.argv[2])
snapshot = Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref)
snapshot.dict()
print(f"evidently DataDriftPreset seconds: {time.time() - t0:.1f}", file=sys.stderr)
