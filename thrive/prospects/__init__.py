"""Ideal-client profile, referral-partner portal, lead scoring, channel economics."""
