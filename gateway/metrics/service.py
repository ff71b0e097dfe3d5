"""Build the scrape from durable state: PostgreSQL counts (correct across every gateway
and worker process, and across restarts) and the Redis queue length.

Per-tenant labels are kept while the number of tenants stays under
:data:`TENANT_LABEL_LIMIT`; past it every family is summed over tenants, so a large
installation cannot blow up the scraper's series count.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable

from gateway.core.resources import Resources
from gateway.metrics import repository
from gateway.metrics.exposition import MetricFamily
from pipeline.core.db import system_transaction
from pipeline.worker.settings import QUEUE_NAME

__all__ = ["LATENCY_BOUNDS_MS", "TENANT_LABEL_LIMIT", "render_metrics"]

LATENCY_BOUNDS_MS = (50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000)
TENANT_LABEL_LIMIT = 200

LabelKey = tuple[tuple[str, str], ...]


def _family(name: str, kind: str, help_text: str, totals: Counter[LabelKey]) -> MetricFamily:
    family = MetricFamily(name, kind, help_text)
    for key in sorted(totals):
        family.add(totals[key], dict(key))
    return family


async def render_metrics(resources: Resources) -> str:
    started = time.perf_counter()
    async with system_transaction(resources.pool) as conn:
        ingest = await repository.ingest_totals(conn)
        # Shifted by 1 ms: latencies are whole ms, so ``#{b + 1 <= x}`` is ``#{b < x}`` and a
        # latency equal to a bound falls in that bound's bucket, as Prometheus' ``le`` says.
        attempts = await repository.delivery_attempt_totals(
            conn, bounds_ms=[bound + 1 for bound in LATENCY_BOUNDS_MS]
        )
        due, oldest_due_s = await repository.delivery_backlog(conn)
    queued_jobs = int(await resources.redis.zcard(QUEUE_NAME))

    tenants = {row[0] for row in ingest} | {row[0] for row in attempts}
    per_tenant = len(tenants) <= TENANT_LABEL_LIMIT

    def tenant(slug: str) -> tuple[tuple[str, str], ...]:
        return (("tenant", slug),) if per_tenant else ()

    batches: Counter[LabelKey] = Counter()
    records: Counter[LabelKey] = Counter()
    for slug, source, status, count, ok, failed, duplicate, held in ingest:
        batches[(*tenant(slug), ("source", source), ("status", status))] += count
        for outcome, value in (
            ("ok", ok),
            ("failed", failed),
            ("duplicate", duplicate),
            ("held", held),
        ):
            records[(*tenant(slug), ("source", source), ("outcome", outcome))] += value

    attempt_counts: Counter[LabelKey] = Counter()
    by_bucket: dict[LabelKey, Counter[int]] = {}
    latency_sum_ms: Counter[LabelKey] = Counter()
    for slug, status_class, bucket, count, sum_ms in attempts:
        attempt_counts[(*tenant(slug), ("status_class", status_class))] += count
        key = tenant(slug)
        by_bucket.setdefault(key, Counter())[bucket] += count
        latency_sum_ms[key] += sum_ms

    latency = MetricFamily(
        "leadgate_delivery_latency_seconds",
        "histogram",
        "Time from sending a lead to Bonzo to its answer (or the error), per attempt.",
    )
    bounds_s = [bound / 1000 for bound in LATENCY_BOUNDS_MS]
    for key in sorted(by_bucket):
        buckets = by_bucket[key]
        latency.add_histogram(
            dict(key),
            bounds_s,
            list(_cumulative(buckets, len(LATENCY_BOUNDS_MS))),
            sum(buckets.values()),
            latency_sum_ms[key] / 1000,
        )

    backlog = MetricFamily(
        "leadgate_delivery_due", "gauge", "Pending deliveries whose next attempt is due now."
    )
    backlog.add(due)
    oldest = MetricFamily(
        "leadgate_delivery_oldest_due_seconds",
        "gauge",
        "How long the oldest due delivery has been waiting (0 when none is due).",
    )
    oldest.add(oldest_due_s)
    jobs = MetricFamily("leadgate_queue_jobs", "gauge", "Jobs waiting in the worker queue (Redis).")
    jobs.add(queued_jobs)
    scrape = MetricFamily(
        "leadgate_metrics_scrape_seconds", "gauge", "Time this scrape spent reading its sources."
    )
    scrape.add(round(time.perf_counter() - started, 6))

    families = [
        _family(
            "leadgate_ingest_batches_total",
            "counter",
            "Ingest batches stored, by source and status (received, done, rejected).",
            batches,
        ),
        _family(
            "leadgate_ingest_records_total",
            "counter",
            "Records of processed batches, by source and outcome.",
            records,
        ),
        _family(
            "leadgate_delivery_attempts_total",
            "counter",
            "Delivery attempts to Bonzo by HTTP status class (2xx, 4xx, 5xx) or error.",
            attempt_counts,
        ),
        latency,
        backlog,
        oldest,
        jobs,
        scrape,
    ]
    return "".join(family.render() for family in families)


def _cumulative(buckets: Counter[int], bound_count: int) -> Iterable[int]:
    """Attempts at or below each bound. Bucket index ``i`` means ``i`` bounds lie strictly
    below the latency, so bound ``k`` (0-based) covers indexes ``0..k``."""
    running = 0
    for k in range(bound_count):
        running += buckets.get(k, 0)
        yield running
