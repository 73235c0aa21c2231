"""Webhooks: signed notices to a school's own systems that something happened (a
concern raised, a task late, a transfer receipted), never what. A school's DSL or
head registers an endpoint; deliveries go from the background worker, are retried
with backoff (ops.retries) and logged (WebhookDelivery)."""
