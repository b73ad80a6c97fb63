"""The spellings of a secret an adversarial server echoes back, and the check that none of them
leaked. Used by the loopback servers' echo faults (`echo=<form>` on /_test/fault) and by
tests/test_scrub.py.

Echoing a token is an adversarial test, not vendor behaviour: neither Salesforce nor HubSpot is
documented to quote a caller's credentials. A proxy, a debugging middleware or a compromised
endpoint might, and whatever reaches a message then reaches a terminal, a log or a ticket.

The forms are spelled out here on their own, not taken from chaser.secrets, so a test cannot
pass merely because both sides share a mistake.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import quote, quote_plus

_UUID = re.compile(r"[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.I)


def forms(secret: str) -> dict[str, str]:
    """form name -> the secret spelled that way; only the forms that apply to this secret
    (the `!` parts for a Salesforce session id, the UUID parts for a HubSpot token)."""
    out = {"exact": secret, "quote": quote(secret, safe=""), "quote_plus": quote_plus(secret),
           "upper": secret.upper(), "lower": secret.lower(),
           "base64": base64.b64encode(secret.encode()).decode()}
    if "!" in secret:
        left, right = secret.split("!", 1)
        out |= {"bang_left": left, "bang_right": right, "bang_right_upper": right.upper()}
    m = _UUID.search(secret)
    if m:
        groups = m[0].split("-")
        out |= {"uuid": m[0], "uuid_upper": m[0].upper(), "uuid_hex": "".join(groups),
                "uuid_first": groups[0], "uuid_last": groups[-1],
                "uuid_middle": "-".join(groups[1:4])}
    return out


def echo(secret: str, form: str) -> str:
    """`secret` spelled as `form` (a form that does not apply gives the secret as it is);
    "all" gives every form at once, space-separated."""
    if form == "all":
        return " ".join(forms(secret).values())
    return forms(secret).get(form, secret)


def leaks(text: str, secrets: list[str] | tuple[str, ...] | set[str]) -> list[str]:
    """"<form> of <secret>" for every form of every secret found in `text`, ignoring case (a
    lone 4-hex group of a UUID is 16 bits and too short to look for: it is not checked)."""
    folded = text.casefold()
    return [f"{name} of {secret[:6]}..." for secret in secrets
            for name, spelled in forms(secret).items() if spelled.casefold() in folded]


# ---- the answers that echo them, in each vendor's error shape ----------------------------------

def sf_echo_error(fault, said: str, path: str) -> tuple[int, object]:
    """Salesforce's error shape, [{"message", "errorCode"}], with `said` in `fault.field`;
    "bulk" is a Failed job with `said` in its errorMessage."""
    if fault.field == "bulk":
        parts = path.split("/")
        return 200, {"id": parts[6] if len(parts) > 6 else "750", "state": "Failed",
                     "errorMessage": f"job failed for session {said}"}
    status = fault.action if isinstance(fault.action, int) else 400
    if fault.field == "code":
        return status, [{"message": "injected", "errorCode": said}]
    return status, [{"message": f"Session {said} is not valid for this org",
                     "errorCode": fault.code or "INVALID_SESSION_ID"}]


def sf_echo_token(fault, form: dict) -> tuple[int, object]:
    """The OAuth token endpoint's error shape, {"error", "error_description"}, echoing the
    refresh token and client secret that were sent."""
    said = " ".join(echo(form[k], fault.echo) for k in ("refresh_token", "client_secret")
                    if form.get(k))
    status = fault.action if isinstance(fault.action, int) else 400
    if fault.field == "code":
        return status, {"error": said, "error_description": "bad"}
    return status, {"error": "invalid_grant", "error_description": f"{said} expired"}


def hs_echo_fault(fault, token: str) -> tuple[int, object, None]:
    """HubSpot's error shape, {status, message, correlationId, category}, with the token in
    `fault.field`; "cursor" is a page whose paging cursor is the token (served repeatedly)."""
    said = echo(token, fault.echo or "exact")
    body = {"status": "error", "message": "Property values were not valid",
            "correlationId": "0b6c5d0e-fake", "category": "VALIDATION_ERROR"}
    if fault.field == "category":
        return 400, {**body, "category": said}, None
    if fault.field == "policy":
        return 429, {"status": "error", "message": "You have reached your limit.",
                     "errorType": "RATE_LIMIT", "correlationId": "x", "policyName": said}, None
    if fault.field == "cursor":
        return 200, {"results": [], "paging": {"next": {"after": said}}}, None
    if fault.field == "text":
        return 400, f"Bad request (authorization: Bearer {said})", None
    return 400, {**body, "message": f"Invalid authentication {said}"}, None
