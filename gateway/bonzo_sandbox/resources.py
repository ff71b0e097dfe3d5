"""A prospect as Bonzo shows it: the API v3 resource and the event hook ``prospect`` object.

The two shapes differ on purpose, as Bonzo's do: the API lists campaigns and tags as
objects and says ``do_not_call``; event hooks map campaign id -> name and say ``dnc``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.bonzo_sandbox.config import SandboxCampaign, SandboxUser
from gateway.bonzo_sandbox.store import Prospect

__all__ = ["api_prospect", "event_prospect"]

_BUSINESS = {"id": 1, "name": "Bonzo Sandbox Mortgage"}


def api_prospect(
    prospect: Prospect,
    *,
    users: Mapping[int, SandboxUser],
    campaigns: Mapping[int, SandboxCampaign],
) -> dict[str, Any]:
    """The ``data`` object of ``GET /api/v3/prospects/{id}``."""
    user = users.get(prospect.assigned_to) if prospect.assigned_to is not None else None
    return {
        "id": prospect.id,
        "first_name": prospect.first_name,
        "last_name": prospect.last_name,
        "full_name": prospect.full_name,
        "email": prospect.email,
        "phone": prospect.phone,
        "phone_type": "mobile" if prospect.phone else None,
        "status": prospect.status,
        "source": prospect.source,
        "external_id": prospect.external_id,
        "tags": [],
        "campaigns": [
            {"id": cid, "name": campaigns[cid].name, "sequence_start": prospect.created_at}
            for cid in prospect.campaign_ids
            if cid in campaigns
        ],
        "mortgage": dict(prospect.mortgage),
        "custom_fields": dict(prospect.custom_fields),
        "timezone": None,
        "address": prospect.address,
        "city": prospect.city,
        "state": prospect.state,
        "zip": prospect.zip,
        "birthday": prospect.birthday,
        "do_not_call": False,
        "opt_outs": [],
        "last_contact": prospect.last_contact,
        "created_at": prospect.created_at,
        "updated_at": prospect.updated_at,
        "assigned_to": prospect.assigned_to,
        "assigned_user": None
        if user is None
        else {
            "id": user.id,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        },
        "business_entity_id": _BUSINESS["id"],
        "pipeline": None,
        "pipeline_id": None,
        "pipeline_stage": None,
    }


def event_prospect(
    prospect: Prospect, *, campaigns: Mapping[int, SandboxCampaign]
) -> dict[str, Any]:
    """The ``prospect`` object of an event hook envelope."""
    return {
        "id": prospect.id,
        "first_name": prospect.first_name,
        "last_name": prospect.last_name,
        "full_name": prospect.full_name,
        "source": prospect.source,
        "email": prospect.email,
        "email_type": "personal" if prospect.email else None,
        "phone": prospect.phone,
        "phone_type": "mobile" if prospect.phone else None,
        "status": prospect.status,
        "address": prospect.address,
        "city": prospect.city,
        "state": prospect.state,
        "zip": prospect.zip,
        "birthday": prospect.birthday,
        "external_id": prospect.external_id,
        "assigned_to": prospect.assigned_to,
        "campaigns": {
            str(cid): campaigns[cid].name for cid in prospect.campaign_ids if cid in campaigns
        },
        "tags": [],
        "dnc": False,
        "last_response": None,
        "last_contact": prospect.last_contact,
        "created_at": prospect.created_at,
        "updated_at": prospect.updated_at,
        "business": dict(_BUSINESS),
    }
