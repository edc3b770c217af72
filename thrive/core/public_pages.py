"""The only pages that answer without signing in, in one place.

Everything else needs a signed-in associate (LoginRequiredMiddleware) or, under
``/api/v1/``, a token or session (401 otherwise). A new public page must be added here
and to docs/security.md; ``thrive/core/tests/test_security_walk.py`` fails for any view
that answers anonymously and is not listed.
"""

from __future__ import annotations

PUBLIC_URL_NAMES: frozenset[str] = frozenset(
    {
        # Signing in and resetting a password.
        "login",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        # An invited associate chooses a first password (signed, expiring link).
        "accept_invitation",
        # Load balancers' liveness check.
        "healthz",
        # Browsers ask for the site icon on every page, public or not.
        "favicon",
        # The business's logo, shown on its public pages and in its emails.
        "business_logo",
        # Email links (signed tokens) and the newsletter sign-up.
        "outreach_unsubscribe",
        "outreach_open",
        "outreach_click",
        "outreach_confirm",
        "outreach_join",
        # The mail provider's bounce report (authenticated by a shared secret).
        "outreach_bounce_webhook",
        # The public idea board and its email sign-in.
        "voice_board",
        "voice_new_idea",
        "voice_idea",
        "voice_vote",
        "voice_comment",
        "voice_sign_in_request",
        "voice_sign_in",
        "voice_sign_out",
        # NPS answers (signed tokens).
        "voice_survey_opt_out",
        "voice_answer",
        "voice_answer_comment",
        # The satisfaction question after a support conversation (signed tokens).
        "inbox_csat",
        # Booking a strategy session, and moving or cancelling it (signed tokens).
        "book_index",
        "book_manage",
        "book_cancel",
        "book_move",
        "book_slots",
        "book_form",
        # Switching off a digest or urgent email from its signed link (RFC 8058 one-click).
        "digest_unsubscribe",
        # Round robin: the same pages for a session type a team shares.
        "book_team_slots",
        "book_team_form",
        # The referral partners' portal (signed single-use links).
        "partner_portal",
        "partner_refer",
        "partner_request_link",
        "partner_open",
        "partner_sign_out",
        # Lead-capture forms: the hosted form (framable with ?embed=1), the framed form's
        # send, and the email confirmation (signed token).
        "leadform_page",
        "leadform_send",
        "leadform_confirm",
        # The help centre: articles, search and "Was this helpful?" (rate limited).
        "help_index",
        "help_article",
        "help_helpful",
        # The API's schema (no data); every endpoint wants a token or session.
        "api-v1:openapi-json",
        "api-v1:api-root",
        # The admin's own sign-in page.
        "admin:login",
    }
)

# Views that skip the sign-in page because they authenticate themselves and answer 401.
API_NAMESPACE = "api-v1"
