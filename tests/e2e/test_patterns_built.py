"""`newsproc local --built --patterns FILE`: the TICKER check of test_patterns_local.py on the built artifacts.

The process function runs in its python3.12 worker on .aws-sam/build (its layers, the template's
environment plus ENTITY_PATTERNS, which the stack passes on): the patterns file is read by the built code.
Skipped without a current build, except under NEWSPROC_REQUIRE_BUILT=1 (`make test-built`), where a missing
or stale build fails, as for the local_stack fixture (tests/e2e/conftest.py).
"""

from __future__ import annotations

import os

import pytest

from newsproc.local.lambda_env import find_python312
from tests.e2e.conftest import built_stack_problem
from tests.e2e.test_patterns_local import check_ticker, stored_result_with_patterns

pytestmark = [pytest.mark.e2e, pytest.mark.build]


def test_a_patterns_file_adds_a_ticker_entity_through_the_built_local_stack(tmp_path) -> None:
    problem = built_stack_problem() or (None if find_python312() else "python3.12 not found (the Lambda runtime's)")
    if problem:
        if os.environ.get("NEWSPROC_REQUIRE_BUILT") == "1":
            pytest.fail(problem)
        pytest.skip(problem)
    check_ticker(stored_result_with_patterns(tmp_path, "--built"))
