from tests.integration.gateway.ingest.conftest import gateway, ingest_limits, worker

__all__ = ["gateway", "ingest_limits", "worker"]
