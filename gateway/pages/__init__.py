"""Server-rendered operational pages: upload a file, a batch, a lead, the deliveries.

Each page reads through the read-side services (``pipeline.leads``, the ingest batch
status) in one transaction scoped to the caller's tenant, so another tenant's batch or
lead is "not found", exactly like one that does not exist. Forms are plain HTML posts
carrying the session's CSRF token; the one script (batch progress) only enhances a page
that works without it.
"""
