"""Reading Bonzo event bodies (pure: no services). Lives beside the HTTP tests of the same
endpoint."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from pipeline.journey.envelope import InvalidEventBody, read_event


def body(event: str = "prospects.updated", additional: Any = None, **prospect: Any) -> bytes:
    fields = {"id": 501, "updated_at": "2026-03-09T14:03:22.000000Z", "status": "new"} | prospect
    return msgspec.json.encode({"event": event, "prospect": fields, "additional": additional or {}})


def test_repeat_with_volatile_fields_changed_has_the_same_idempotency_key() -> None:
    first = read_event(body(last_response="2026-03-09T14:00:00Z", tags=[]))
    again = read_event(body(last_response="2026-03-09T14:05:00Z", tags=[{"id": 1}]))

    assert first.idempotency_key == again.idempotency_key
    assert first.idempotency_key.startswith("v1:")


@pytest.mark.parametrize(
    "change",
    [
        {"status": "contacted"},
        {"updated_at": "2026-03-09T14:03:23.000000Z"},
        {"dnc": True},
        {"pipeline_stage": "Application"},
        {"assigned_to": 102},
        {"opt_outs": ["sms"]},
        {"last_contact": "2026-03-09T14:03:22Z"},
        {"id": 502},
    ],
)
def test_a_change_the_journey_follows_gives_a_new_idempotency_key(change: dict[str, Any]) -> None:
    assert read_event(body(**change)).idempotency_key != read_event(body()).idempotency_key


def test_message_status_change_gives_a_new_key_and_a_repeat_the_same() -> None:
    def message(status: str) -> bytes:
        return body(
            "messages.outgoing.updated", {"message": {"id": 9, "type": "SMS", "status": status}}
        )

    assert (
        read_event(message("sent")).idempotency_key == read_event(message("sent")).idempotency_key
    )
    assert (
        read_event(message("sent")).idempotency_key != read_event(message("failed")).idempotency_key
    )
    assert read_event(message("FAILED")).message == read_event(message("failed")).message


def test_unknown_events_are_keyed_by_their_whole_body() -> None:
    assert (
        read_event(b'{"event":"x","a":1}').idempotency_key
        != read_event(b'{"event":"x","a":2}').idempotency_key
    )


def test_e164_phone_and_mixed_case_email_read_as_leads_store_them() -> None:
    prospect = read_event(
        body(phone="+1 (555) 234-0101", email=" Mary.Major@Example.COM ")
    ).prospect

    assert prospect is not None
    assert (prospect.phone, prospect.email) == ("5552340101", "mary.major@example.com")


def test_laravel_timestamps_without_offset_are_utc() -> None:
    prospect = read_event(
        body(updated_at="2026-03-09 14:03:22", last_contact="2026-03-09T09:03:22-05:00")
    ).prospect

    assert prospect is not None
    assert prospect.updated_at == datetime(2026, 3, 9, 14, 3, 22, tzinfo=UTC)
    assert prospect.last_contact_at == datetime(2026, 3, 9, 14, 3, 22, tzinfo=UTC)


def test_absent_fields_stay_unknown_and_null_fields_are_none() -> None:
    prospect = read_event(
        msgspec.json.encode(
            {"event": "prospects.updated", "prospect": {"id": "7", "assigned_to": None}}
        )
    ).prospect

    assert prospect is not None
    assert prospect.id == 7
    assert prospect.assigned_to is None
    assert prospect.status is msgspec.UNSET
    assert prospect.opt_outs is msgspec.UNSET


def test_empty_opt_outs_read_as_none() -> None:
    for empty in ([], {}, None):
        prospect = read_event(body(opt_outs=empty)).prospect
        assert prospect is not None
        assert prospect.opt_outs is None


@pytest.mark.parametrize("raw", [b"", b"[]", b"null", b"{", b'{"a":"\xff"}'])
def test_only_a_json_object_is_an_event(raw: bytes) -> None:
    with pytest.raises(InvalidEventBody):
        read_event(raw)
