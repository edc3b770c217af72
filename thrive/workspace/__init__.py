"""Pages that compose several apps: the person 360°, the dashboard, the task inbox.

Nothing below imports the workspace; it reads each app's queries and calls its services."""
