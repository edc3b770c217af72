"""Shared test helpers: factories and the owner/member/read-only personas."""
