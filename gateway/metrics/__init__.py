"""``GET /metrics``: Prometheus text exposition read from PostgreSQL and Redis at scrape time."""
