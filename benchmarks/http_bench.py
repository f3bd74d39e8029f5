#!/usr/bin/env python3
"""HTTP benchmarks with wrk against release builds, each figure as a ratio to a bare Vapor
"Hello" route measured in the same run. Run through benchmarks/http.sh, which builds first.

Servers, each on a throwaway data directory, with VERTROUWD_TRUST_PROXY=1 so that every
request can come from its own client address (X-Forwarded-For) past the per-client throttles:
  hello      vertrouwd-bench hello: one route, no middleware (the baseline)
  real       vertrouwd demo: the product as shipped (scrypt N=2^17)
  cheap-kdf  vertrouwd-bench demo-cheap-kdf: the product with scrypt at test strength (N=2^10),
             for "a submission without KDF" and for seeding 1,000 cases for the dashboard
"""
import argparse
import base64
import hashlib
import hmac
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

SLUG = "voorbeeld"


def totp(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time() // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Server:
    def __init__(self, name, command, port, env=None, data=None):
        self.name, self.port = name, port
        self.data = data or tempfile.mkdtemp(prefix=f"vertrouwd-bench-{name}-")
        self.log_path = os.path.join(self.data, "server.log")
        full_env = dict(os.environ, VERTROUWD_DATA_DIR=self.data, VERTROUWD_TRUST_PROXY="1", LOG_LEVEL="warning",
                        **(env or {}))
        full_env.pop("DATABASE_URL", None)
        self.started = time.monotonic()
        self.process = subprocess.Popen(command, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT,
                                        env=full_env)
        self.startup_seconds = self.wait()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self):
        probe = "/hello" if self.name == "hello" else "/health"
        for _ in range(1200):
            if self.process.poll() is not None:
                sys.exit(f"{self.name} stopped while starting:\n" + open(self.log_path).read()[-2000:])
            try:
                with urllib.request.urlopen(self.url(probe), timeout=2) as response:
                    if response.status == 200:
                        return time.monotonic() - self.started
            except OSError:
                pass
            time.sleep(0.02)
        sys.exit(f"{self.name} did not start")

    def rss_kib(self, field="VmRSS"):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def accounts(self):
        found = {}
        for line in open(self.log_path, errors="replace"):
            match = re.search(r"demo-account\s+(.*)$", line)
            if match:
                fields = dict(part.split("=", 1) for part in match.group(1).split() if "=" in part)
                found.setdefault(fields["role"], []).append(fields)
        return found

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Client:
    """A browser enough for setting up: a cookie jar, forms with their CSRF token."""

    def __init__(self, server, address="10.9.0.1"):
        self.server, self.address = server, address
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, path, fields=None):
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(self.server.url(path), data=data, headers={"X-Forwarded-For": self.address})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers

    def form(self, path):
        status, body, _ = self.request(path)
        assert status == 200, f"GET {path}: {status}"
        return body, re.search(r'name="csrf" value="([^"]+)"', body).group(1)

    @property
    def cookies(self):
        """Every cookie this client holds, as a browser sends them (a counsellor's include the key)."""
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)

    @property
    def session(self):
        return next(cookie.value for cookie in self.jar if cookie.name == "vertrouwd_session")

    def contact(self, message):
        body, csrf = self.form(f"/o/{SLUG}/contact")
        counsellor = re.search(r'name="counsellor" value="([0-9A-Fa-f-]{36})"', body).group(1)
        submission = re.search(r'name="submission" value="([^"]+)"', body).group(1)
        status, page, _ = self.request(f"/o/{SLUG}/contact", {
            "csrf": csrf, "counsellor": counsellor, "message": message, "identity": "anonymous",
            "channel": "messages", "submission": submission})
        match = re.search(r'id="receipt-code">([0-9A-Z-]+)<', page)
        assert match, f"no receipt ({status})"
        return match.group(1), counsellor

    def log_in(self, account):
        _, csrf = self.form("/login")
        status, _, headers = self.request("/login", {"csrf": csrf, "email": account["email"],
                                                      "password": account["password"]})
        assert headers.get("Location") == "/login/2fa", f"password step: {status}"
        _, csrf = self.form("/login/2fa")
        status, _, headers = self.request("/login/2fa", {"csrf": csrf, "code": totp(account["totp-secret"])})
        assert status in (302, 303), f"code step: {status}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


LUA = r"""
local counter = 0
local body_template = BODY
local method = METHOD
local cookie = COOKIE
local expected_status = EXPECT_STATUS
local marker = MARKER
local threads = {}
-- Each thread gets its own number: math.random starts from the same seed in every thread, so
-- random ids would repeat, and a repeated submission token is answered with a redirect.
setup = function(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
init = function(args)
  math.randomseed(SEED + id * 7919)
  failures = 0
  first_failure = ""
end
request = function()
  counter = counter + 1
  local headers = {["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.random(1, 250), math.random(0, 255), math.random(1, 254))}
  if cookie ~= "" then headers["Cookie"] = cookie end
  local body = nil
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = string.gsub(body_template, "UNIQUE", string.format("%d-%d-%d", id, counter, math.random(1, 1000000000)))
  end
  return wrk.format(method, PATH, headers, body)
end
-- Every answer is checked: the expected status and the page's own marker in its body. A redirect
-- to the login or an error page is a failure, counted and shown, never a request served.
response = function(status, headers, body)
  if status ~= expected_status or body == nil or not string.find(body, marker, 1, true) then
    failures = failures + 1
    if first_failure == "" then
      local location = headers["Location"] or headers["location"]
      first_failure = string.format("%d %s", status, location or (string.gsub(string.sub(body or "", 1, 80), "%s+", " ")))
    end
  end
end
done = function(summary, latency, requests)
  local failed = 0
  local example = ""
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
    if example == "" then example = thread:get("first_failure") end
  end
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), failed, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write("FIRST_FAILURE " .. example .. "\n")
end
"""


def lua_string(text):
    return json.dumps(text)


def wrk(server, path, marker, method="GET", body="", cookie="", connections=32, seconds=10, warmup=2, status=200):
    """Requests per second that got `status` and a body containing `marker`; the others are failures."""

    def run(duration):
        # Each wrk run gets a seed of its own. Lua's math.random starts from the same seed in every
        # thread of every run, so without one the client addresses (and so the throttles) and the
        # submission tokens would repeat, and the answers would be 429s and "already sent" redirects.
        seed = secrets.randbelow(2**31)
        script = LUA.replace("BODY", lua_string(body.replace("UNIQUE", f"{seed}-UNIQUE"))) \
            .replace("METHOD", lua_string(method)).replace("COOKIE", lua_string(cookie)) \
            .replace("PATH", lua_string(path)).replace("EXPECT_STATUS", str(status)) \
            .replace("MARKER", lua_string(marker)).replace("SEED", str(seed))
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(script)
        try:
            return subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "-s",
                                   handle.name, server.url("")], capture_output=True, text=True, check=True).stdout
        finally:
            os.unlink(handle.name)

    if warmup:
        run(warmup)
    output = run(seconds)
    fields = [int(x) for x in re.search(r"RESULT (.*)", output).group(1).split()]
    requests, duration_us, p50, p99, failed, socket_errors = fields
    if failed or socket_errors:
        example = re.search(r"FIRST_FAILURE (.*)", output).group(1)
        print(f"  {path}: {failed} of {requests} answers were not the page (first: {example}); "
              f"{socket_errors} socket errors", flush=True)
    good = max(requests - failed, 0)
    return {"rps": good / (duration_us / 1e6), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000,
            "bad": failed, "socket_errors": socket_errors, "requests": good}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--app", required=True)
    parser.add_argument("--bench", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    print(f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
          f"{open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].splitlines()[0].strip()}")
    print(f"wrk: 2 threads on the same 2 cores as the server; {args.seconds} s per figure after a 2 s warm-up\n")
    results = {}
    servers = []
    try:
        hello_startups = []
        for _ in range(5):
            again = Server("hello", [args.bench, "hello", "--port", "8185"], 8185)
            hello_startups.append(again.startup_seconds)
            again.stop()
        # The baseline stays up: the host's speed drifts within a run (by 15% and more here), so each
        # figure is followed by a hello of its own, and its ratios are to that one.
        hello = Server("hello", [args.bench, "hello", "--port", "8181"], 8181)
        servers.append(hello)
        results["hello route (baseline)"] = wrk(hello, "/hello", "Hello", seconds=args.seconds)

        def record(name, figure):
            base = wrk(hello, "/hello", "Hello", seconds=5, warmup=1)
            figure["base_rps"], figure["base_p99_ms"] = base["rps"], base["p99_ms"]
            results[name] = figure
            return figure

        # The flood guard (60 contacts per organisation per hour) would answer most of the load with 429.
        real = Server("real", [args.app, "demo", "--hostname", "127.0.0.1", "--port", "8182"], 8182,
                      env={"VERTROUWD_ORGANISATION_SUBMISSIONS_PER_HOUR": "100000"})
        servers.append(real)
        idle_kib = real.rss_kib()
        record("front page", wrk(real, "/", 'data-page="home"', seconds=args.seconds))
        record("knowledge-base article", wrk(real, f"/o/{SLUG}/kennisbank/pesten", 'data-page="kb-article"',
                                             seconds=args.seconds))
        record("knowledge-base search", wrk(real, f"/o/{SLUG}/zoeken?q=pesten+op+het+werk", 'data-page="search"',
                                            seconds=args.seconds))
        # The guide takes no session and no form token; the visitor's browser still sends the session
        # cookie it got at the contact form, as a real one would.
        guide = Client(real)
        guide.form(f"/o/{SLUG}/contact")
        record("guide step (POST)", wrk(real, f"/o/{SLUG}/wegwijzer", 'data-page="guide-question"', "POST", "answer=safe",
                                        f"vertrouwd_session={guide.session}", seconds=args.seconds))
        person = Client(real, "10.9.0.2")
        receipt, counsellor = person.contact("Een bericht om mee in te loggen")
        contact = Client(real, "10.9.0.3")
        _, csrf = contact.form(f"/o/{SLUG}/contact")
        form = (f"csrf={csrf}&counsellor={counsellor}&message=Benchmarkbericht&identity=anonymous"
                f"&channel=messages&submission=benchmark-submission-UNIQUE")
        cookie = f"vertrouwd_session={contact.session}"
        record("contact submission, KDF included", wrk(real, f"/o/{SLUG}/contact", 'id="receipt-code"', "POST", form, cookie,
                                                       connections=20, seconds=args.seconds + 5))
        inbox = Client(real, "10.9.0.4")
        _, csrf = inbox.form(f"/o/{SLUG}/inbox")
        record("receipt login, KDF included (20 at once)", wrk(
            real, f"/o/{SLUG}/inbox", 'data-page="inbox"', "POST", f"csrf={csrf}&receipt={receipt}&action=open",
            f"vertrouwd_session={inbox.session}", connections=20, seconds=args.seconds + 5))
        peak_kib = real.rss_kib("VmHWM")
        real.stop()
        real_startups = []
        for _ in range(5):
            again = Server("real", [args.app, "serve", "--hostname", "127.0.0.1", "--port", "8182"], 8182,
                           data=real.data)
            real_startups.append(again.startup_seconds)
            again.stop()

        cheap = Server("cheap-kdf", [args.bench, "demo-cheap-kdf", "--hostname", "127.0.0.1", "--port", "8183"], 8183)
        servers.append(cheap)
        contact = Client(cheap, "10.9.0.5")
        _, counsellor = contact.contact("Eerste bericht")
        _, csrf = contact.form(f"/o/{SLUG}/contact")
        form = (f"csrf={csrf}&counsellor={counsellor}&message=Benchmarkbericht&identity=anonymous"
                f"&channel=messages&submission=benchmark-submission-UNIQUE")
        cheap_submission = wrk(cheap, f"/o/{SLUG}/contact", 'id="receipt-code"', "POST", form,
                               f"vertrouwd_session={contact.session}", seconds=args.seconds)
        record("contact submission, KDF excluded", cheap_submission)
        # Top up to the number of cases the dashboard should hold, all for the same counsellor.
        seeded = cheap_submission["requests"] + 1
        while seeded < args.cases:
            run = wrk(cheap, f"/o/{SLUG}/contact", 'id="receipt-code"', "POST", form, f"vertrouwd_session={contact.session}",
                      seconds=2, warmup=0)
            seeded += run["requests"]
        # The counsellor who received them: the one whose dashboard lists the most cases.
        best = None
        for number, account in enumerate(cheap.accounts()["counsellor"]):
            staff = Client(cheap, f"10.9.1.{number}")
            staff.log_in(account)
            _, page, _ = staff.request("/backoffice")
            held = re.search(r'id="queue-count"[^>]*>[^<]*?(\d+)<', page)
            listed = int(held.group(1)) if held else 0
            if best is None or listed > best[1]:
                best = (staff, listed)
        staff, listed = best
        record(f"counsellor dashboard (first page of {listed} cases)", wrk(
            cheap, "/backoffice", 'data-page="backoffice"', cookie=staff.cookies, connections=8, seconds=args.seconds))
        cheap.stop()
    finally:
        for server in servers:
            if server.process.poll() is None:
                server.process.kill()
            shutil.rmtree(server.data, ignore_errors=True)

    first = results["hello route (baseline)"]
    print(f"{'':44}{'req/s':>10}{'× base':>8}{'p50 ms':>9}{'p99 ms':>9}{'p99 × base':>11}{'errors':>8}{'base req/s':>11}")
    for name, figure in results.items():
        base_rps, base_p99 = figure.get("base_rps", first["rps"]), figure.get("base_p99_ms", first["p99_ms"])
        print(f"{name:44}{figure['rps']:10.0f}{figure['rps'] / base_rps:8.3f}{figure['p50_ms']:9.2f}"
              f"{figure['p99_ms']:9.2f}{figure['p99_ms'] / base_p99:11.1f}{figure['bad'] + figure['socket_errors']:8d}"
              f"{base_rps:11.0f}")
    print("× base: against the hello route measured for 5 s right after each figure (its req/s in the last column)")
    print()
    print(f"memory (vertrouwd demo): idle {idle_kib / 1024:.0f} MiB; peak {peak_kib / 1024:.0f} MiB "
          f"after all of the above on it, the last being 20 concurrent receipt logins")
    print(f"start-up to a healthy answer, median of 5: hello {statistics.median(hello_startups) * 1000:.0f} ms; "
          f"vertrouwd serve (migrated SQLite) {statistics.median(real_startups) * 1000:.0f} ms "
          f"({statistics.median(real_startups) / statistics.median(hello_startups):.1f}× hello)")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"results": results, "idle_kib": idle_kib, "peak_kib": peak_kib,
                       "startup_hello_s": hello_startups, "startup_vertrouwd_s": real_startups}, handle, indent=2)


if __name__ == "__main__":
    main()
