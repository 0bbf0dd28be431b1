"""GX's expectation kwargs read from one configuration per call (expectations/expectation_kwargs.py) are GX's own:
every expectation of the gate's and the marts' suites, each reader's answer both ways. Cost: the suites built."""

from __future__ import annotations

from typing import Any

import pytest

from expectations.expectation_kwargs import READERS, read_configuration_once
from expectations.marts import mart_specs
from expectations.suites import Suites
from expectations.vocabulary import vocabulary


@pytest.fixture(scope="module")
def every_expectation() -> list[Any]:
    read_configuration_once()
    suites = Suites(vocabulary())
    marts = [e for spec in mart_specs(vocabulary()).values() for e in suites.mart(spec)]
    return [*suites.facts(), *suites.identity_checks(), *suites.document_checks(), *marts]


def test_each_reader_answers_what_gx_does(every_expectation: list[Any]) -> None:
    assert len(every_expectation) > 50
    for expectation in every_expectation:
        for name in READERS:
            read_once, gx_own = getattr(expectation, name), getattr(type(expectation), name).__wrapped__
            if name == "_get_success_kwarg":
                keys = {*expectation.domain_keys, *expectation.success_keys, *expectation.runtime_keys, "nothing"}
                for key in keys:
                    assert read_once(key) == gx_own(expectation, key), (expectation, key)
            else:
                assert read_once() == gx_own(expectation), (expectation, name)
        assert expectation._get_runtime_kwargs({"result_format": "COMPLETE"})["result_format"]["result_format"] == (
            "COMPLETE"
        )


def test_a_call_builds_the_configuration_once(every_expectation: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """A configuration is built from the expectation's fields (pydantic's dict()): once a call, and again by the
    next call, which sees a field changed in between."""
    from great_expectations.expectations.expectation import Expectation

    built = 0
    fields = Expectation.dict

    def counted(self: Any, **kwargs: Any) -> Any:
        nonlocal built
        built += 1
        return fields(self, **kwargs)

    expectation = next(e for e in every_expectation if len(e.success_keys) + len(e.domain_keys) > 3).copy(deep=True)
    monkeypatch.setattr(Expectation, "dict", counted)
    expectation._get_runtime_kwargs()
    assert built == 1
    expectation.mostly = 0.5
    assert expectation._get_success_kwargs()["mostly"] == 0.5
    assert built == 2
