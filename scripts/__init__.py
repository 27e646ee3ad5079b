"""Scripts of the repository, run from its root.

Packages (`python -m scripts.bench`, `python -m scripts.reliability`): one module per benchmark or
scenario. Single-file scripts run by path (`python scripts/demo.py`, `python scripts/layer_smoke.py`).
Programs that run in a fresh interpreter (cold start, memory, the layer smoke test) are real files
in scripts/children/, started by path.
"""
