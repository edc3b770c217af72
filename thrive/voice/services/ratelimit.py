"""The public portal's limits; the counting is :mod:`thrive.core.ratelimit`."""

from __future__ import annotations

import datetime as dt

from thrive.core.ratelimit import Limit, RateLimited, check_all, hit

__all__ = [
    "ANSWERS_PER_IP", "COMMENTS_PER_PERSON", "IDEAS_PER_PERSON", "Limit",
    "MAGIC_LINK_PER_EMAIL", "MAGIC_LINK_PER_IP", "POST_PER_IP", "RateLimited",
    "SIGN_IN_LINK_USES_PER_IP", "SURVEY_OPT_OUTS_PER_IP", "VOTES_PER_PERSON", "check_all", "hit",
]  # fmt: skip

HOUR = dt.timedelta(hours=1)
# Per IP and per email: a shared office IP gets more room than one mailbox.
MAGIC_LINK_PER_IP = Limit(10, HOUR, "ideas_sign_in_per_ip")
MAGIC_LINK_PER_EMAIL = Limit(3, HOUR, "ideas_sign_in_per_email")
SIGN_IN_LINK_USES_PER_IP = Limit(30, HOUR, "ideas_sign_in_link_per_ip")
POST_PER_IP = Limit(60, HOUR, "ideas_post_per_ip")
IDEAS_PER_PERSON = Limit(5, HOUR, "ideas_per_person")
COMMENTS_PER_PERSON = Limit(20, HOUR, "ideas_comments_per_person")
VOTES_PER_PERSON = Limit(60, HOUR, "ideas_votes_per_person")
ANSWERS_PER_IP = Limit(60, HOUR, "survey_answers_per_ip")
SURVEY_OPT_OUTS_PER_IP = Limit(30, HOUR, "survey_opt_outs_per_ip")
