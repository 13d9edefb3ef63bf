"""Schemathesis hooks (loaded through schemathesis.toml): the values of this
running deployment that no document can name.

The document describes every deployment, so a `user` it allows is any uuid
and a `code` any string; the ones this server knows exist only once run.py
has made them. For a share of the requests meant to be valid (never the
ones meant to be refused), a form field below is replaced with one of them,
so that each operation's success path runs in every phase, beside the
generated values that exercise its refusals.

run.py writes the standing values to the JSON file named by
SSO_CONTRACT_POOLS ({"user": [...], "session": [...], ...}; a key
"<path>:<field>" holds the values of one operation's field);
a `code` lives a minute and is used once, so one is made for each request
that gets one, by signing in as the document's example person at
SSO_CONTRACT_BASE.
"""

import json
import os
import random
import urllib.parse
import urllib.request

import schemathesis
from schemathesis import GenerationMode

with open(os.environ["SSO_CONTRACT_POOLS"]) as pools_file:
    POOLS = json.load(pools_file)
BASE = os.environ["SSO_CONTRACT_BASE"]
SIGN_IN = {
    "client_id": "news", "flow": "standard", "flow_version": "1", "locale": "en-US",
    "redirect_uri": "http://news.localhost:8081/", "response_type": "code",
    "signInEmailAddress": "person@example.com", "currentPassword": "correct-horse-battery",
}
SHARE = 0.5
draw = random.Random(20261204)
made = 0


def new_account(field):
    """An email or username no account has yet (sign-ups and user/create)."""
    global made
    made += 1
    return f"new-{made}@example.com" if field != "username" else f"new.{made}"


# The registered origin of each demo client, for the FedCM requests the
# browser sends from a site's page.
ORIGINS = {"news": "http://news.localhost:8081", "sport": "http://sport.localhost:8082",
           "shop": "http://shop.localhost:8083"}

# FedCM's `params` as the library sends them: the check's query.
def library_params(client):
    receiver = f"{ORIGINS[client]}/xd_receiver.html"
    query = urllib.parse.urlencode(
        {"client_id": client, "xd_receiver": receiver, "state": "contract-state-1"})
    return json.dumps({"query": query})


# Fields whose valid values are new ones, made for each request.
FRESH = {"emailAddress": new_account, "email": new_account, "username": new_account}


def fresh_code():
    form = urllib.parse.urlencode(SIGN_IN).encode()
    with urllib.request.urlopen(f"{BASE}/oauth/auth_native_traditional", data=form, timeout=10) as answer:
        return [json.load(answer)["authorization_code"]]


@schemathesis.hook
def before_call(context, case, **kwargs):
    meta = case.meta
    if meta is None or meta.generation.mode != GenerationMode.POSITIVE:
        return
    if not isinstance(case.body, dict):
        return
    # The coverage and examples phases make a few fixed requests: each of
    # them gets this server's values; fuzzing gets them half of the time.
    share = SHARE if meta.phase.name == "fuzzing" else 1.0
    client = case.body.get("client_id")
    if client in ORIGINS and "Origin" in (case.headers or {}) and draw.random() < share:
        case.headers["Origin"] = ORIGINS[client]
    if client in ORIGINS and "params" in case.body and draw.random() < share:
        case.body["params"] = library_params(client)
    for field in list(case.body):
        own = f"{case.operation.path}:{field}"
        if own not in POOLS and field not in POOLS and field not in FRESH and field != "code":
            continue
        if draw.random() >= share:
            continue
        if field in FRESH:
            case.body[field] = FRESH[field](field)
            continue
        values = fresh_code() if field == "code" else POOLS.get(own, POOLS.get(field))
        if values:
            case.body[field] = draw.choice(values)
