"""Email templates: the sandbox that checks and renders them, the tags and merge fields
they may use, the plain-text part made from their HTML, and saving them."""
