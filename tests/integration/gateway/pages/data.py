"""Fictional leads the page tests ingest (555 numbers, example.com addresses)."""

from __future__ import annotations

MARY = "LS-1,Mary,Major,mary.major@example.com,(555) 234-0101,ma"
NORA_FAILS = "LS-2,Nora,Nobody,not-an-email,12,NY"
RAY = "LS-3,Ray,Roe,ray.roe@example.com,555-234-0103,TX"
BATCH_ROWS = [MARY, NORA_FAILS, RAY]
"""Two leads and one failed record (bad email, bad phone, hence no contact)."""


def prospect_created(lead_id: str, *, prospect_id: int = 701) -> dict[str, object]:
    """A Bonzo ``prospects.created`` event for our lead (linked by external id)."""
    return {
        "event": "prospects.created",
        "prospect": {
            "id": prospect_id,
            "external_id": lead_id,
            "first_name": "Mary",
            "last_name": "Major",
            "phone": "+15552340101",
            "email": "mary.major@example.com",
            "status": "new",
            "assigned_to": 101,
            "dnc": False,
            "created_at": "2026-03-09T14:03:22.000000Z",
            "updated_at": "2026-03-09T14:03:22.000000Z",
        },
        "additional": {},
    }
