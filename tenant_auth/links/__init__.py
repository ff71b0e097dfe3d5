"""Resource links: shareable read-only links to one page of one tenant."""
