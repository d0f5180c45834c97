"""Reads a Prometheus text exposition on stdin with the official client's parser and prints its families as JSON.

Exit status 1 (and the parser's message on stderr) when the parser refuses the text.
"""
import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    families = [
        {
            "name": f.name,
            "type": f.type,
            "help": f.documentation,
            "samples": [{"name": s.name, "labels": s.labels, "value": s.value if math.isfinite(s.value) else str(s.value)} for s in f.samples],
        }
        for f in text_string_to_metric_families(sys.stdin.read())
    ]
except Exception as e:  # the parser raises ValueError and others for malformed text
    print(f"{type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(1)
json.dump(families, sys.stdout, allow_nan=False)
