"""The extract service: turns each fetched publication into findings."""
