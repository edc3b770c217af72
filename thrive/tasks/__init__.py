"""Tasks for people: the personal touches Thrive hands to associates, asked for by any app above."""
