"""The bounce and complaint webhook for mail providers (see inbound/bounce_intake.py).

No sign-in: the caller proves itself with the shared secret from
``THRIVE_BOUNCE_WEBHOOK_SECRET``, sent as ``Authorization: Bearer <secret>`` and compared
in constant time. Without a configured secret the endpoint does not exist (404).
"""

from __future__ import annotations

import hmac
import json

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..conf import bounce_webhook_secret
from ..inbound.bounce_intake import apply_reports, parse_events

MAX_BODY = 1_000_000


def _secret_matches(request: HttpRequest, secret: str) -> bool:
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer":
        value = request.headers.get("X-Thrive-Webhook-Secret", "")
    return hmac.compare_digest(value.strip().encode(), secret.encode())


@login_not_required
@csrf_exempt  # a provider's server calls this, without cookies; the secret is the proof
@never_cache
@require_POST
def bounce_webhook(request: HttpRequest) -> JsonResponse:
    secret = bounce_webhook_secret()
    if not secret:
        return JsonResponse({"error": "Bounce reports are not enabled here."}, status=404)
    if not _secret_matches(request, secret):
        return JsonResponse({"error": "Wrong or missing secret."}, status=401)
    if len(request.body) > MAX_BODY:
        return JsonResponse({"error": f"The body is larger than {MAX_BODY} bytes."}, status=413)
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        return JsonResponse({"error": f"The body is not JSON: {exc}"}, status=400)
    try:
        reports = parse_events(payload)
    except ValidationError as exc:
        return JsonResponse(
            {"error": "Nothing was recorded.", "problems": exc.messages}, status=400
        )
    return JsonResponse(apply_reports(reports))
