"""The shared contract checks live outside test modules; let pytest explain their failed asserts too."""

from collections.abc import Iterator

import pytest

pytest.register_assert_rewrite("tests.hubs.contract")

from tests.hubs.contract import TwoLaptops, empty_the_hub  # noqa: E402  (after the assert rewrite is registered)


@pytest.fixture
def hubs(laptops: TwoLaptops) -> Iterator[TwoLaptops]:
    """The module's ``laptops`` on its hub, emptied after each test."""
    yield laptops
    empty_the_hub(laptops.a, laptops.raw)
