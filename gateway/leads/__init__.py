"""The read API (leads, failed records, deliveries), the failed-record CSV export and the
replay endpoints, over ``pipeline.leads``."""
