"""Reads about mail already sent: counts and rates per campaign, sequence or variant, and
why each message was sent, is waiting or was skipped."""
