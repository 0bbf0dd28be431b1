"""dbt's events made by protobuf's constructors (warehouse/dbt_events.py) are the messages dbt_common's ParseDict
made: every event of a real build, compared both ways. Cost: one dbt run of the staging views (~3 s)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from warehouse import dbt


def test_every_event_of_a_build_is_the_message_dbt_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dbt.prepare()
    from dbt_common.events import base_types, event_manager
    from google.protobuf.json_format import ParseDict

    native_event, native_envelope = base_types.BaseEvent.__init__, event_manager.msg_from_base_event
    fired_by_parse_dict = native_envelope.__wrapped__
    made: list[tuple[type, dict[str, Any], Any]] = []
    fired: list[tuple[Any, Any, Any]] = []
    parse_dict_calls = 0

    def making(self: Any, *args: Any, **kwargs: Any) -> None:
        native_event(self, *args, **dict(kwargs))
        if not args:
            made.append((type(self), kwargs, self.pb_msg))

    def firing(event: Any, level: Any = None) -> Any:
        message = native_envelope(event, level=level)
        fired.append((event, level, message))
        return message

    def counted_parse_dict(*args: Any, **kwargs: Any) -> Any:
        nonlocal parse_dict_calls
        parse_dict_calls += 1
        return ParseDict(*args, **kwargs)

    monkeypatch.setattr(base_types.BaseEvent, "__init__", making)
    monkeypatch.setattr(event_manager, "msg_from_base_event", firing)
    monkeypatch.setattr(base_types, "ParseDict", counted_parse_dict)
    outcome = dbt.build_warehouse(tmp_path / "warehouse.duckdb", select="path:models/staging", command="run")
    monkeypatch.undo()

    assert outcome.success and outcome.nodes_run >= 5, outcome
    kinds = {kind.__name__ for kind, _, _ in made}
    assert {"NodeStart", "NodeFinished", "SQLQuery", "SQLQueryStatus"} <= kinds, kinds
    assert parse_dict_calls < len(made) / 4, "most events are made by the constructor, not by ParseDict"
    for kind, kwargs, message in made:
        words = {key: str(value) if key in {"msg", "base_msg"} else value for key, value in kwargs.items()}
        assert message == ParseDict(words, getattr(kind.PROTO_TYPES_MODULE, kind.__name__)()), kind.__name__

    assert len(fired) >= len(made) / 2
    for event, level, envelope in fired:
        assert abs(envelope.info.ts.ToDatetime(UTC) - datetime.now(UTC)) < timedelta(minutes=5)
        expected = fired_by_parse_dict(event, level=level)
        expected.info.ts.CopyFrom(envelope.info.ts)  # stamped a moment apart,
        expected.info.thread = envelope.info.thread  # here, not on the dbt thread that fired it
        assert envelope == expected, type(event).__name__
