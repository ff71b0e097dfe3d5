"""The sandbox's prospects, merged on phone and email the way Bonzo merges them."""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from gateway.bonzo_sandbox.general_body import CONTACT_KEYS, GeneralLead
from pipeline.core.structs import Frozen, Struct

__all__ = ["Prospect", "ProspectStore", "Webhook"]


class Webhook(Frozen):
    """A General webhook configured in the sandboxed Bonzo account.

    ``name`` becomes the prospect's ``source``; ``campaign_id`` puts new prospects in that
    campaign; ``owner_id`` is the user prospects are assigned to without a ``user_id``.
    """

    id: str
    name: str = "leadgate"
    campaign_id: int | None = None
    owner_id: int | None = None


class Prospect(Struct):
    id: int
    webhook_id: str
    source: str
    first_name: str
    created_at: str
    updated_at: str
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    """E.164."""
    address: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    marital_status: str | None = None
    prospect_type: str | None = None
    unit_number: str | None = None
    alias: str | None = None
    birthday: str | None = None
    external_id: str | None = None
    status: str = "new"
    assigned_to: int | None = None
    campaign_ids: list[int] = msgspec.field(default_factory=list)
    mortgage: dict[str, str] = msgspec.field(default_factory=dict)
    custom_fields: dict[str, str] = msgspec.field(default_factory=dict)
    people: dict[str, dict[str, str]] = msgspec.field(default_factory=dict)
    notes: list[str] = msgspec.field(default_factory=list)
    last_contact: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class ProspectStore:
    """In-memory prospects with phone and email indexes.

    A post whose phone matches a prospect updates that prospect; failing that, one whose
    email matches; otherwise it creates one. An update overwrites only the values the post
    carries and appends its notes. Changes are tracked so a persistence layer can write
    them behind the request path.
    """

    def __init__(self, prospects: Iterable[Prospect] = ()) -> None:
        self._by_id: dict[int, Prospect] = {}
        self._by_phone: dict[str, int] = {}
        self._by_email: dict[str, int] = {}
        self._changed: set[int] = set()
        self._cleared = False
        for prospect in prospects:
            self._by_id[prospect.id] = prospect
            self._index(prospect)
        self._next_id = max(self._by_id, default=0) + 1

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, prospect_id: int) -> Prospect | None:
        return self._by_id.get(prospect_id)

    def all(self) -> list[Prospect]:
        """Every prospect, oldest first."""
        return list(self._by_id.values())

    def search(self, text: str) -> list[Prospect]:
        """Prospects whose name, email or phone contains ``text`` (case-insensitive; for a
        phone, digits are compared), oldest first."""
        needle = text.strip().lower()
        digits = "".join(char for char in needle if char.isdigit())
        # Fewer than three digits would match nearly every phone.
        digits = digits if len(digits) >= 3 else ""

        def matches(prospect: Prospect) -> bool:
            if needle in prospect.full_name.lower() or needle in (prospect.email or ""):
                return True
            return bool(digits and prospect.phone and digits in prospect.phone)

        return [prospect for prospect in self._by_id.values() if matches(prospect)]

    def merge(self, lead: GeneralLead, *, webhook: Webhook, now: str) -> tuple[Prospect, bool]:
        """Create or update the prospect ``lead`` belongs to; ``True`` when created."""
        existing_id = self._match(lead)
        if existing_id is None:
            prospect = self._create(lead, webhook=webhook, now=now)
            created = True
        else:
            prospect = self._by_id[existing_id]
            self._unindex(prospect)
            _apply(prospect, lead)
            prospect.updated_at = now
            created = False
        self._index(prospect)
        self._changed.add(prospect.id)
        return prospect, created

    def record_contact(self, prospect_id: int, *, now: str) -> Prospect | None:
        """Note that a loan officer reached the prospect now; ``None`` if it is gone."""
        prospect = self._by_id.get(prospect_id)
        if prospect is not None:
            prospect.last_contact = now
            prospect.updated_at = now
            self._changed.add(prospect_id)
        return prospect

    def clear(self) -> None:
        self._by_id.clear()
        self._by_phone.clear()
        self._by_email.clear()
        self._changed.clear()
        self._cleared = True
        self._next_id = 1

    def take_changes(self) -> tuple[bool, list[Prospect]]:
        """Whether the store was cleared, and the prospects changed since the last call."""
        cleared, self._cleared = self._cleared, False
        changed = [self._by_id[pid] for pid in sorted(self._changed) if pid in self._by_id]
        self._changed.clear()
        return cleared, changed

    def requeue(self, cleared: bool, prospects: Iterable[Prospect]) -> None:
        """Put back changes taken by ``take_changes`` that could not be written."""
        self._cleared = self._cleared or cleared
        self._changed.update(prospect.id for prospect in prospects)

    def _match(self, lead: GeneralLead) -> int | None:
        phone = lead.contact.get("phone")
        if phone is not None and phone in self._by_phone:
            return self._by_phone[phone]
        email = lead.contact.get("email")
        if email is not None:
            return self._by_email.get(email)
        return None

    def _create(self, lead: GeneralLead, *, webhook: Webhook, now: str) -> Prospect:
        prospect = Prospect(
            id=self._next_id,
            webhook_id=webhook.id,
            source=webhook.name,
            first_name=lead.contact["first_name"],
            assigned_to=webhook.owner_id,
            campaign_ids=[] if webhook.campaign_id is None else [webhook.campaign_id],
            created_at=now,
            updated_at=now,
        )
        self._next_id += 1
        _apply(prospect, lead)
        self._by_id[prospect.id] = prospect
        return prospect

    def _index(self, prospect: Prospect) -> None:
        if prospect.phone:
            self._by_phone[prospect.phone] = prospect.id
        if prospect.email:
            self._by_email[prospect.email] = prospect.id

    def _unindex(self, prospect: Prospect) -> None:
        if prospect.phone and self._by_phone.get(prospect.phone) == prospect.id:
            del self._by_phone[prospect.phone]
        if prospect.email and self._by_email.get(prospect.email) == prospect.id:
            del self._by_email[prospect.email]


def _apply(prospect: Prospect, lead: GeneralLead) -> None:
    for key in CONTACT_KEYS:
        value = lead.contact.get(key)
        if value is not None:
            setattr(prospect, key, value)
    if lead.external_id is not None:
        prospect.external_id = lead.external_id
    if lead.user_id is not None:
        prospect.assigned_to = lead.user_id
    prospect.mortgage.update(lead.mortgage)
    prospect.custom_fields.update(lead.custom_fields)
    prospect.people.update(lead.people)
    prospect.notes.extend(lead.notes)
