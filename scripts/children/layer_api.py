"""ApiFunction child of scripts/layer_smoke.py: its init on the CoreLayer and the runtime's boto3 only.

    python3.12 -s -P scripts/children/layer_api.py   (PYTHONPATH: the ApiFunction build dir first, as
                                                      /var/task on Lambda, then the layer and boto3)

Imports functions/api/app.py as `app` and builds its OpenAPI schema. Prints one JSON line: seconds,
openapi_bytes and the NLP modules it imported (there must be none).
"""

import json
import sys
import time


def main() -> dict:
    started = time.perf_counter()
    import app  # functions/api/app.py: the ApiFunction's init

    schema = app.app.get_openapi_json_schema()
    nlp_only = [m for m in ("spacy", "thinc", "numpy", "rapidfuzz", "py3langid") if m in sys.modules]
    return {"seconds": round(time.perf_counter() - started, 2), "openapi_bytes": len(schema), "nlp_modules": nlp_only}


if __name__ == "__main__":
    print(json.dumps(main()))
