"""The read side: a tenant's leads (with delivery attempts and journey), failed records
and deliveries, listed with filters and cursor pagination. ``service`` is the entry point;
every function runs in the caller's tenant-scoped transaction. No HTTP here."""
