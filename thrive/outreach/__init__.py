"""Outreach: email templates, campaigns, sequences, deliveries, tracking and unsubscribe.

Other apps send mail through :mod:`thrive.outreach.services` only. The root holds the
app's skeleton; the work is in ``sending/`` (campaigns, sequences, the checks and the
background sender), ``inbound/`` (opens, clicks, unsubscribes, bounces, opt-in),
``email_templates/`` (the sandbox and merge fields) and ``reports/`` (counts, reasons).
"""
