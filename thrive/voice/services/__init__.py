"""Writes for customer voice: ideas, votes, comments, surveys, portal sign-in.

Other apps (and the workflow step "send survey") call these; each owns its
transaction and records the person's timeline.
"""

from .ideas import (
    change_idea_status,
    comment_on_idea,
    merge_ideas,
    submit_idea,
    vote_for_idea,
    withdraw_vote,
)
from .jobs import retry_job, run_send_job, start_survey_send
from .portal import read_sign_in, redeem_sign_in, request_sign_in
from .ratelimit import RateLimited
from .surveys import (
    add_answer_comment,
    close_the_loop,
    create_survey,
    opt_out_of_surveys,
    read_answer_token,
    record_answer,
    send_survey,
    send_survey_to,
)

__all__ = [
    "RateLimited",
    "add_answer_comment",
    "change_idea_status",
    "close_the_loop",
    "comment_on_idea",
    "create_survey",
    "merge_ideas",
    "opt_out_of_surveys",
    "read_answer_token",
    "read_sign_in",
    "record_answer",
    "redeem_sign_in",
    "request_sign_in",
    "retry_job",
    "run_send_job",
    "send_survey",
    "send_survey_to",
    "start_survey_send",
    "submit_idea",
    "vote_for_idea",
    "withdraw_vote",
]
