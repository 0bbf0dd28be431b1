"""dbt's log events, each made by protobuf's own constructor rather than by `json_format.ParseDict`.

Every event dbt fires (~20 a node: each statement, its status, connections, the node's start and end) is a
protobuf message built twice from a dict: its data when the event is made (`BaseEvent.__init__`), its envelope
when it is fired (`msg_from_base_event`). dbt_common builds both with `ParseDict`, protobuf's JSON reader, written in
Python, under the GIL. In a build of 86 nodes into 400 documents, the events were 23 % of the busy time of dbt's
threads (py-spy), most of it ParseDict; made by the constructors, which take the same dict in C, 12 %. Where
a constructor refuses a dict (a timestamp given as text, a name it does not know, a value of the wrong type), the
event is made by `ParseDict` as before; what it accepts it reads as `ParseDict` does (tests/test_dbt_events.py
compares every event of a build both ways). Measured on that build, 9 builds a side: 6.0 -> 5.4 s, 7.5 -> 6.8 s of
a core.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any


@functools.cache  # once a process: prepare() asks before every build (warehouse/dbt.py)
def build_events_natively() -> None:
    """Make dbt_common's events with the messages' constructors from now on, in this process."""
    from dbt_common.events import base_types, event_manager

    made_by_parse_dict = base_types.BaseEvent.__init__
    fired_by_parse_dict = base_types.msg_from_base_event

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        name = type(self).__name__
        if args or name == "Formatting":  # dbt's own rules for these, kept whole
            made_by_parse_dict(self, *args, **kwargs)
            return
        for text in ("base_msg", "msg"):
            if text in kwargs:
                kwargs[text] = str(kwargs[text])
        try:
            message = getattr(self.PROTO_TYPES_MODULE, name)(**kwargs)
        except (TypeError, ValueError, AttributeError):
            made_by_parse_dict(self, **kwargs)
            return
        object.__setattr__(self, "pb_msg", message)  # BaseEvent's __setattr__ would set it on pb_msg itself

    def msg_from_base_event(event: Any, level: Any = None) -> Any:
        name = type(event).__name__
        info = {
            "level": level.value if level else event.level_tag().value,
            "msg": event.message(),
            "invocation_id": base_types.get_invocation_id(),
            "extra": base_types.get_global_metadata_vars(),
            "ts": datetime.now(UTC),  # as get_json_string_utcnow's text: UTC, to the microsecond
            "pid": base_types.get_pid(),
            "thread": base_types.get_thread_name(),
            "code": event.code(),
            "name": name,
        }
        try:
            message = getattr(event.PROTO_TYPES_MODULE, f"{name}Msg")(info=info)
        except (TypeError, ValueError, AttributeError):
            return fired_by_parse_dict(event, level=level)
        message.data.CopyFrom(event.pb_msg)
        return message

    __init__.__wrapped__ = made_by_parse_dict  # type: ignore[attr-defined]
    msg_from_base_event.__wrapped__ = fired_by_parse_dict  # type: ignore[attr-defined]
    base_types.BaseEvent.__init__ = __init__
    base_types.msg_from_base_event = event_manager.msg_from_base_event = msg_from_base_event
