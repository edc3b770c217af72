"""Outgoing webhooks: subscriptions to activity types, signed deliveries, retries, replay."""
