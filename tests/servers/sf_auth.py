"""The loopback Salesforce server's OAuth token endpoint (POST /services/oauth2/token).

From Salesforce Help, "OAuth 2.0 Refresh Token Flow for Renewed Sessions" and "OAuth 2.0
Client Credentials Flow for Server-to-Server Integration": a form POST with grant_type,
client_id, client_secret and (refresh flow) refresh_token; the answer names the access token
and the org's `instance_url`, the base every later API call goes to. With refresh-token
rotation on (a connected app setting), "the connected app issues a new refresh token along with
the access token each time the flow is invoked. The previous refresh token is automatically
invalidated": presenting it again is refused like any dead refresh token, with
{"error": "invalid_grant", "error_description": "expired access/refresh token"}.
"""

from __future__ import annotations

import random
import time
from urllib.parse import parse_qs

from servers.echo import sf_echo_token
from servers.sf_org import CLIENT_ID, CLIENT_SECRET, Org

REFUSED = {"error": "invalid_grant", "error_description": "expired access/refresh token"}


def token(org: Org, body: bytes, own_url: str) -> tuple[int, object, dict]:
    form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
    grant = form.get("grant_type")
    fault = org.fault("token", None)
    if fault is not None and fault.echo:  # adversarial: the secrets sent, echoed back
        return (*sf_echo_token(fault, form), {})
    if fault is not None:
        return fault.action, {"error": "temporarily_unavailable"}, {}
    with org.lock:
        ok = form.get("client_id") == CLIENT_ID and (
            (grant == "refresh_token" and form.get("refresh_token") in org.refresh_tokens)
            or (grant == "client_credentials" and form.get("client_secret") == CLIENT_SECRET))
        if not ok:
            return 400, REFUSED, {}
        access = f"00Dtest!AQ-fresh-{len(org.tokens) + len(org.log)}-{random.getrandbits(32):x}"
        org.tokens.add(access)
        answer = {"access_token": access, "instance_url": org.instance_url or own_url,
                  "id": f"{own_url}/id/00Dtest000000001/{org.me.get('user_id') or '005'}",
                  "token_type": "Bearer", "issued_at": str(int(time.time() * 1000)),
                  "signature": "c2lnbmF0dXJl", "scope": "api refresh_token"}
        if grant == "refresh_token" and org.rotate_refresh:
            fresh = f"5Aep-rotated-{len(org.issued) + 1}-{random.getrandbits(48):012x}"
            org.refresh_tokens.discard(form["refresh_token"])
            org.refresh_tokens.add(fresh)
            org.issued.append(fresh)
            answer["refresh_token"] = fresh
    return 200, answer, {}
