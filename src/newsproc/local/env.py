"""Process environment for running the functions locally (fake credentials, quiet Powertools)."""

from __future__ import annotations

import os

LOCAL_DEFAULTS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "newsproc",
    "POWERTOOLS_SERVICE_NAME": "newsproc-local",
}


def use_local_environment(**overrides: str) -> None:
    """Fake credentials (never real ones) and Powertools settings, unless already set by the user."""
    for name in ("AWS_PROFILE",):
        os.environ.pop(name, None)
    for name, value in LOCAL_DEFAULTS.items():
        if name.startswith("AWS_") and name != "AWS_DEFAULT_REGION":
            os.environ[name] = value
        else:
            os.environ.setdefault(name, value)
    os.environ.update(overrides)
