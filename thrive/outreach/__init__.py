"""Outreach: email templates, campaigns, sequences, deliveries, tracking and unsubscribe.

Other apps send mail through :mod:`thrive.outreach.services` only.
"""
