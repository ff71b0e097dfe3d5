"""Route handlers this package adds to the gateway (see gateway/app.py)."""

from __future__ import annotations

from typing import Any

from gateway.pages.batch import BatchPage
from gateway.pages.deliveries import DeliveriesPage
from gateway.pages.lead import LeadPage
from gateway.pages.upload import UploadPage

ROUTES: list[Any] = [UploadPage, BatchPage, LeadPage, DeliveriesPage]
