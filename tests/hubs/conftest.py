"""The shared contract checks live outside test modules; let pytest explain their failed asserts too."""

import pytest

pytest.register_assert_rewrite("tests.hubs.contract")
