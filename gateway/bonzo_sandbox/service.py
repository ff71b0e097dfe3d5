"""The sandboxed Bonzo account: webhooks, prospects, faults, event hooks, received posts."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import AsyncIterator, Mapping
from http import HTTPStatus
from types import MappingProxyType
from typing import Any, NamedTuple

import msgspec

from gateway.bonzo_sandbox.clock import now_timestamp
from gateway.bonzo_sandbox.config import SandboxConfig, is_webhook_id
from gateway.bonzo_sandbox.event_hooks import EventHookSender
from gateway.bonzo_sandbox.faults import RESET, FaultInjector
from gateway.bonzo_sandbox.general_body import InvalidGeneralBody, read_general_body
from gateway.bonzo_sandbox.persistence import SandboxFile
from gateway.bonzo_sandbox.received import ReceivedLog, ReceivedPost
from gateway.bonzo_sandbox.resources import event_prospect
from gateway.bonzo_sandbox.store import Prospect, ProspectStore, Webhook

__all__ = ["BonzoSandbox", "WebhookAnswer"]

log = logging.getLogger(__name__)

_encoder = msgspec.json.Encoder()
_JSON = "application/json"


class WebhookAnswer(NamedTuple):
    """What to answer a webhook post with; ``reset`` means drop the connection instead."""

    status: int
    body: bytes
    media_type: str = _JSON
    headers: Mapping[str, str] = MappingProxyType({})
    reset: bool = False


_ACCEPTED = WebhookAnswer(200, _encoder.encode({"success": True, "message": "Webhook received"}))
_RESET = WebhookAnswer(500, b"", reset=True)  # the status is never sent: no answer is
_BAD_GATEWAY_PAGE = (
    b"<html><head><title>502 Bad Gateway</title></head>"
    b"<body><center><h1>502 Bad Gateway</h1></center></body></html>"
)
_MESSAGES = {
    404: "Not Found.",
    410: "This webhook no longer exists.",
    429: "Too Many Attempts.",
    500: "Server Error",
    503: "Service Unavailable",
}


def _error_answer(status: int, *, retry_after: int = 0) -> WebhookAnswer:
    if status == 502:  # answered by the load balancer in front of Bonzo, not by Bonzo
        return WebhookAnswer(502, _BAD_GATEWAY_PAGE, media_type="text/html")
    message = _MESSAGES.get(status) or HTTPStatus(status).phrase
    headers = {"Retry-After": str(retry_after)} if status == 429 else {}
    return WebhookAnswer(status, _encoder.encode({"message": message}), headers=headers)


class _NotJson(NamedTuple):
    text: str


class BonzoSandbox:
    """One sandboxed Bonzo account. Lives on one event loop; use inside ``running()``."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.users = {user.id: user for user in config.users}
        self.campaigns = {campaign.id: campaign for campaign in config.campaigns}
        self.faults = FaultInjector(config.faults)
        self.received = ReceivedLog(recent_limit=config.recent_limit)
        self.hooks = EventHookSender(config.event_hook, recent_limit=config.recent_limit)
        self.store = ProspectStore()
        self._default_owner = config.users[0].id if config.users else None
        self._webhooks = {wid: self._new_webhook(wid) for wid in config.webhooks}
        self._file = SandboxFile(config.store_path) if config.store_path is not None else None
        self._first_contacts: dict[int, asyncio.TimerHandle] = {}
        self._message_ids = itertools.count(1)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Load the store file (if any), deliver event hooks and write the file while inside."""
        async with contextlib.AsyncExitStack() as stack:
            if self._file is not None:
                prospects, webhooks = await asyncio.to_thread(self._file.load)
                self.store = ProspectStore(prospects)
                for webhook in webhooks:
                    self._webhooks.setdefault(webhook.id, webhook)
                await stack.enter_async_context(self._file.flushing(self.store, self.webhooks))
            await stack.enter_async_context(self.hooks.running())
            stack.callback(self._cancel_first_contacts)
            log.info(
                "Bonzo SANDBOX running: a local stand-in, not Bonzo; nothing reaches a real CRM",
                extra={"webhooks": len(self._webhooks), "prospects": len(self.store)},
            )
            yield

    def webhooks(self) -> list[Webhook]:
        return list(self._webhooks.values())

    def register_webhook(self, webhook: Webhook) -> Webhook:
        """Add or replace a webhook; an unset owner becomes the account's first user."""
        if webhook.owner_id is None:
            webhook = msgspec.structs.replace(webhook, owner_id=self._default_owner)
        self._webhooks[webhook.id] = webhook
        return webhook

    def reset(self) -> None:
        """Forget prospects, received posts and event hook history; keep webhooks and faults
        (the fault generator restarts from its seed)."""
        self.store.clear()
        self.received.clear()
        self.hooks.clear()
        self._cancel_first_contacts()
        self.faults.replace(self.faults.plan)

    async def receive_webhook(self, webhook_id: str, body: bytes) -> WebhookAnswer:
        """Answer one post to ``/api/webhook/{webhook_id}`` and record it."""
        delay = self.faults.delay_seconds()
        if delay:
            await asyncio.sleep(delay)
        try:
            decoded: Any = msgspec.json.decode(body)
        except msgspec.DecodeError:
            decoded = _NotJson(body.decode("utf-8", "replace"))
        ignored: list[str] = []
        answer = self._answer(webhook_id, decoded, ignored)
        external_id = decoded.get("external_id") if isinstance(decoded, dict) else None
        self.received.record(
            ReceivedPost(
                webhook_id=webhook_id,
                external_id=str(external_id) if isinstance(external_id, str | int) else None,
                received_at=now_timestamp(),
                status=None if answer.reset else answer.status,
                body=decoded.text if isinstance(decoded, _NotJson) else decoded,
                ignored_keys=ignored,
            )
        )
        return answer

    def _answer(self, webhook_id: str, decoded: Any, ignored: list[str]) -> WebhookAnswer:
        if not is_webhook_id(webhook_id):
            return _error_answer(404)
        fault = self.faults.fault_for(webhook_id)
        if fault == RESET:
            return _RESET
        if isinstance(fault, int):
            return _error_answer(fault, retry_after=self.faults.plan.retry_after)
        webhook = self._webhooks.get(webhook_id)
        if webhook is None:
            if not self.config.accept_any_webhook:
                return _error_answer(404)
            webhook = self.register_webhook(self._new_webhook(webhook_id))
        try:
            lead = read_general_body(decoded, user_ids=self.users)
        except InvalidGeneralBody as invalid:
            body = {"message": str(invalid), "errors": invalid.errors}
            return WebhookAnswer(422, _encoder.encode(body))
        ignored.extend(lead.ignored_keys)
        prospect, created = self.store.merge(lead, webhook=webhook, now=now_timestamp())
        self._announce(prospect, created=created, webhook=webhook)
        return _ACCEPTED

    def _new_webhook(self, webhook_id: str) -> Webhook:
        return Webhook(id=webhook_id, owner_id=self._default_owner)

    def _announce(self, prospect: Prospect, *, created: bool, webhook: Webhook) -> None:
        if self.hooks.enabled and not created:
            self.hooks.emit("prospects.updated", self._event_prospect(prospect), {})
        elif self.hooks.enabled:
            campaign = self.campaigns.get(webhook.campaign_id) if webhook.campaign_id else None
            additional = {} if campaign is None else {"campaign": msgspec.to_builtins(campaign)}
            self.hooks.emit("prospects.created", self._event_prospect(prospect), additional)
        # A loan officer's first contact happens whether or not anyone listens for events;
        # the API shows it as last_contact.
        if created and self.config.first_contact_after is not None:
            self._first_contacts[prospect.id] = asyncio.get_running_loop().call_later(
                self.config.first_contact_after, self._first_contact, prospect.id
            )

    def _first_contact(self, prospect_id: int) -> None:
        del self._first_contacts[prospect_id]
        now = now_timestamp()
        prospect = self.store.record_contact(prospect_id, now=now)
        if prospect is None or not self.hooks.enabled:
            return
        message = {
            "id": next(self._message_ids),
            "type": "sms",
            "direction": "outgoing",
            "status": "sent",
            "created_at": now,
        }
        self.hooks.emit(
            "messages.outgoing.updated", self._event_prospect(prospect), {"message": message}
        )

    def _cancel_first_contacts(self) -> None:
        for handle in self._first_contacts.values():
            handle.cancel()
        self._first_contacts.clear()

    def _event_prospect(self, prospect: Prospect) -> dict[str, Any]:
        return event_prospect(prospect, campaigns=self.campaigns)
