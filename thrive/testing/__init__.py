"""Test support that builds rows of several apps (people, orders, associates)."""
