"""Growth planning: SMART goals on live KPIs, the experiment backlog, A/B analysis and
health checks."""
