"""Prints, as JSON, what cantools reads from each ARXML file given: frames and signals, or the
error when cantools does not load the file."""
import json
import sys

import cantools

out = {}
for path in sys.argv[1:]:
    try:
        db = cantools.database.load_file(path)
    except Exception as e:  # cantools rejects the file: not compared
        out[path] = {"error": repr(e)[:300]}
        continue
    out[path] = {"frames": [
        {"name": m.name, "id": m.frame_id, "extended": m.is_extended_frame, "length": m.length,
         "signals": [{"name": s.name, "start_bit": s.start, "length": s.length,
                      "byte_order": s.byte_order, "is_signed": s.is_signed,
                      "factor": float(s.conversion.scale), "offset": float(s.conversion.offset)}
                     for s in m.signals]}
        for m in db.messages]}
json.dump(out, sys.stdout)
