"""Names vulture reports as unused that are used, by a framework calling them by name.

Read by vulture only (``[tool.vulture]`` in pyproject.toml), never imported. Django's
models, admin options, views, template tags and form ``clean_*`` methods are reported at
60% confidence, below the threshold CI uses, so they need no entry; what is here is
reported at 100% because it is a parameter a framework's signature requires.
"""

# Func.as_sql(compiler, connection, function=None, template=None, arg_joiner=None,
# **extra_context) and its per-vendor variants: Django passes these by keyword.
function  # noqa: B018
arg_joiner  # noqa: B018
extra_context  # noqa: B018
# aiosmtpd's handle_RCPT(server, session, envelope, address, rcpt_options).
rcpt_options  # noqa: B018
# Django's system checks are called with app_configs=... by keyword.
app_configs  # noqa: B018
# signal.signal handlers are called as handler(signum, frame).
signum  # noqa: B018
# Django calls a mail backend's send_messages(email_messages); aiosmtpd calls an
# authenticator with (server, session, envelope, mechanism, auth_data).
email_messages  # noqa: B018
mechanism  # noqa: B018
