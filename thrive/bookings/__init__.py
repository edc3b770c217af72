"""Strategy sessions: associates' availability, the public booking page, invites."""
