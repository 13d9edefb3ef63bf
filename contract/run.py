#!/usr/bin/env python3
"""Contract test: schemathesis against a running sso-server and its own
/openapi.json, once on the in-process store and once on a Redis of its own.

Usage: run.py SCHEMATHESIS SSO_SERVER [--store memory|redis] [--seed N]

It starts the server on a free port with the demo configuration, signs a
person in to get the credentials the document's security schemes need
(an access token; an application-API session made the way a site backend
makes one), runs schemathesis with contract/schemathesis.toml, and fails if
schemathesis finds anything or the server logged a panic.
"""

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
DEMO = {
    "client_id": "news",
    "flow": "standard",
    "flow_version": "1",
    "locale": "en-US",
    "redirect_uri": "http://news.localhost:8081/",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url, proc, what):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"{what} exited with status {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    sys.exit(f"{what} was not ready at {url} within 20 s")


def post(url, form, basic=None):
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode())
    if basic:
        token = base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)
    except urllib.error.HTTPError as err:
        sys.exit(f"POST {url} answered {err.code}: {err.read().decode(errors='replace')}")


# The person of the document's sign-in example (`SignInForm`).
PERSON = {"signInEmailAddress": "person@example.com", "currentPassword": "correct-horse-battery"}
SESSIONS_TO_END = 12


def credentials(base):
    """What schemathesis acts with and hooks.py draws from: the example
    person's access token, browser cookie and uuid; an application user
    linked to another person, its standing API session and ID token; ids
    of sessions to end."""
    token, cookie, person, browser_ids = browser_person(base)
    user, session, id_token, api = application_user(base)
    return token, session, user, id_token, cookie, person, api | {
        "/entity/sessions/end:session_id": browser_ids,
    }


def browser_person(base):
    """The example person (`SignInForm`): an access token, a browser's
    session cookie, the person's uuid, and more browser sign-ins of theirs
    (not the cookie's) for `/entity/sessions/end` to end, one each."""
    registered = post(
        f"{base}/oauth/register_native_traditional",
        DEMO | {"emailAddress": PERSON["signInEmailAddress"],
                "password": PERSON["currentPassword"], "displayName": "Person"},
    )
    token = registered["access_token"]
    cookie = browser_session(base, registered["sso_code"])

    def read(path):
        request = urllib.request.Request(f"{base}{path}", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)["result"]

    def browsers():
        return {s["id"] for s in read("/entity/sessions")["sessions"]}
    standing = browsers()
    for _ in range(SESSIONS_TO_END):
        signed_in = post(f"{base}/oauth/auth_native_traditional", DEMO | PERSON)
        browser_session(base, signed_in["sso_code"])
    return token, cookie, read("/entity")["uuid"], sorted(browsers() - standing)


def application_user(base):
    """An application-API user linked to a person of its own (made the way
    a site backend does), its standing API session, the ID token, and more
    API sessions for `user/endsession` to end. (No sign-out for
    `logout/status`: the demo's application sees the sign-outs of API users,
    whose sessions no site is told about.)"""
    stamp = f"{os.getpid()}-{time.monotonic_ns()}"
    registered = post(
        f"{base}/oauth/register_native_traditional",
        DEMO | {"emailAddress": f"contract-api-{stamp}@example.com",
                "password": "contract-password", "displayName": "Contract API",
                "response_type": "code"},
    )
    id_token = post(
        f"{base}/oauth/token",
        {"grant_type": "authorization_code", "code": registered["authorization_code"],
         "redirect_uri": DEMO["redirect_uri"]},
        basic=("news", "news-secret"),
    )["id_token"]
    portal = ("portal", "portal-secret")
    user = post(f"{base}/api/user/create",
                {"email": f"contract-api-{stamp}@example.com", "displayname": "Contract API"},
                basic=portal)["body"]["user"]["id"]
    post(f"{base}/api/user/linkssotoken",
         {"user": user, "service": "federation", "response": id_token}, basic=portal)

    def create():
        return post(f"{base}/api/session/createwithsso",
                    {"service": "federation", "response": id_token}, basic=portal)["body"]["session"]

    def listed():
        answer = post(f"{base}/api/user/sessions", {"user": user}, basic=portal)
        return {s["id"] for s in answer["body"]["sessions"]}
    session = create()
    standing = listed()
    for _ in range(SESSIONS_TO_END):
        create()
    return user, session, id_token, {
        "/api/user/endsession:session_id": sorted(listed() - standing),
    }


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def delivered(url, cookie=None):
    """A `/sso/*` answer: the JSON result in the receiver's fragment and the
    cookies set, as the library would see them."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        urllib.request.build_opener(NoRedirect).open(request, timeout=10)
        sys.exit(f"GET {url} did not redirect")
    except urllib.error.HTTPError as answer:
        fragment = urllib.parse.urlsplit(answer.headers["Location"]).fragment
        result = json.loads(urllib.parse.parse_qs(fragment)["sso"][0])
        cookies = dict(c.split(";")[0].split("=", 1) for c in answer.headers.get_all("Set-Cookie") or [])
        return result, cookies


def browser_session(base, sso_code):
    """The SSO session cookie `set_session` leaves in a browser, made the
    library's way: park the sso_code, then confirm with the pending cookie."""
    site = {"client_id": "news", "xd_receiver": "http://news.localhost:8081/xd_receiver.html",
            "state": "contract-state-1"}
    parked, cookies = delivered(f"{base}/sso/set?{urllib.parse.urlencode(site | {'sso_code': sso_code})}")
    pending = next(f"{k}={v}" for k, v in cookies.items() if k.startswith("sso_session_pending"))
    confirm = parked["result"]["confirm"]
    _, cookies = delivered(f"{base}/sso/set?{urllib.parse.urlencode(site | {'confirm': confirm})}", pending)
    return cookies["sso_session"]


def print_reached(metrics_url):
    """What the generated requests reached: answers per operation and status."""
    with urllib.request.urlopen(metrics_url, timeout=5) as response:
        text = response.read().decode()
    table = {}
    for line in text.splitlines():
        if not line.startswith("sso_http_requests_total{"):
            continue
        labels, count = line.rsplit(" ", 1)
        fields = dict(part.split("=", 1) for part in labels[len("sso_http_requests_total{"):-1].split(","))
        key = f'{fields["method"].strip(chr(34))} {fields["route"].strip(chr(34))}'
        status = fields["status"].strip('"')
        table.setdefault(key, {})[status] = table.get(key, {}).get(status, 0) + int(float(count))
    print("answers by operation and status:")
    for key in sorted(table):
        if set(table[key]) <= {"404", "405"}:
            continue  # other methods and paths: 405 or 404, as checked
        counts = ", ".join(f"{s}: {n}" for s, n in sorted(table[key].items()))
        print(f"  {key:<40} {counts}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("schemathesis")
    parser.add_argument("server")
    parser.add_argument("--store", choices=["memory", "redis"], default="memory")
    parser.add_argument("--seed", default=os.environ.get("CONTRACT_SEED", "20261202"))
    args = parser.parse_args()
    args.schemathesis = os.path.abspath(args.schemathesis)
    args.server = os.path.abspath(args.server)

    children = []
    scratch = tempfile.mkdtemp(prefix="sso-contract-")
    try:
        env = dict(os.environ)
        store = "memory"
        if args.store == "redis":
            redis_port = free_port()
            redis = subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                 "--save", "", "--appendonly", "no", "--dir", scratch],
                stdout=subprocess.DEVNULL)
            children.append(redis)
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", redis_port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        sys.exit("redis-server did not start")
                    time.sleep(0.05)
            store = f"redis://127.0.0.1:{redis_port}/0"

        port, admin_port = free_port(), free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = os.path.join(scratch, "server.log")
        env.update({
            "SSO_STORE": store,
            # Schemathesis sends wrong secrets on purpose (authentication
            # checks); the pacing delay would only make the run slower.
            "SSO_RATE_LIMIT__AUTH_FAILURE_DELAY_MS": "0",
            # Past the per-address sign-in limit every registration call
            # would be a 429; the limit has tests of its own.
            "SSO_RATE_LIMIT__ATTEMPTS_PER_IP": "1000000",
            # Generated wrong passwords for the example person would lock
            # the account that contract/hooks.py signs in to for codes.
            "SSO_RATE_LIMIT__FAILURES_PER_ACCOUNT": "1000000",
            "SSO_ADMIN_LISTEN": f"127.0.0.1:{admin_port}",
        })
        with open(log_path, "w") as log:
            # `localhost` by name: WebAuthn needs a host name, so the passkey
            # endpoints are on (an IP address would turn them off).
            public_url = f"http://localhost:{port}"
            server = subprocess.Popen(
                [args.server, "--listen", f"127.0.0.1:{port}", "--public-url", public_url],
                env=env, stdout=log, stderr=subprocess.STDOUT)
        children.append(server)
        wait_ready(f"{base}/readyz", server, "sso-server")

        token, session, user, id_token, cookie, person, session_ids = credentials(base)
        config = os.path.join(scratch, "schemathesis.toml")
        pools = os.path.join(scratch, "pools.json")
        with open(pools, "w") as out:
            json.dump({"user": [user], "session": [session], "response": [id_token],
                       "account_id": [person],
                       "account_hint": [person, PERSON["signInEmailAddress"]]} | session_ids, out)
        env["SSO_CONTRACT_POOLS"] = pools
        env["SSO_CONTRACT_BASE"] = base
        with open(os.path.join(HERE, "schemathesis.toml")) as template, open(config, "w") as out:
            out.write(f'hooks = "{os.path.join(HERE, "hooks.py")}"\n')
            out.write(template.read())
            out.write(f'\n[dictionaries.users]\nvalues = ["{user}"]\n')
            out.write(f'\n[dictionaries.id_tokens]\nvalues = ["{id_token}"]\n')
        env["SSO_CONTRACT_ACCESS_TOKEN"] = token
        env["SSO_CONTRACT_API_SESSION"] = session
        env["SSO_CONTRACT_COOKIE"] = cookie
        print(f"contract: {args.store} store, server at {base}, seed {args.seed}", flush=True)
        # Three passes, so that every operation runs with standing
        # credentials: ending the person's other sign-ins ends the browser
        # session of the cookie, and ending all of a user's sessions ends the
        # standing API session (second pass); signing out everywhere revokes
        # every access token of the person, the one schemathesis uses
        # included (last, alone).
        later = ["^(/entity/sessions/end_others|/api/user/endallsessions)$",
                 "^/entity/sessions/end_all$"]
        passes = [["--exclude-path-regex", "|".join(later)],
                  ["--include-path-regex", later[0]],
                  ["--include-path-regex", later[1]]]
        result = None
        for scope in passes:
            result = subprocess.run(
                [args.schemathesis, "--no-color",
                 "--config-file", config,
                 "run", f"{base}/openapi.json", "--seed", str(args.seed), *scope],
                env=env, cwd=scratch)
            if result.returncode != 0:
                break
        print_reached(f"http://127.0.0.1:{admin_port}/metrics")
        with open(log_path) as log:
            panics = [line for line in log if "panicked" in line]
        if panics:
            print("the server panicked:\n" + "".join(panics), file=sys.stderr)
            return 1
        return result.returncode
    finally:
        for child in reversed(children):
            child.terminate()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
