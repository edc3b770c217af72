"""Views of strategy sessions: the public booking pages and the staff page."""
