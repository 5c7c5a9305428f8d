"""The store service: councils' history, what changed, and signed webhooks about it."""
