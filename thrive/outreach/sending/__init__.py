"""Sending mail: campaigns and sequences, the checks before each message, composing it,
the links it carries, and the background sender that delivers it."""
