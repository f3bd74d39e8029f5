#!/usr/bin/env python3
"""Two vertrouwd instances on one PostgreSQL, as behind a load balancer (issue 10).

    multi-instance.py --binary .build/debug/vertrouwd --database-url postgres://… [--artifacts DIR]

Starts a plain SMTP sink, then instance A (`demo`, which seeds the demo organisation) and instance B
(`serve`) at the same moment on the empty database, so that both migrate at once. Both have the
same instance secret, their own data directories, JSON logs and job loops every second or two.
Then, with an HTTP client that sends each request to the other instance:

1. a person's contact, the counsellor's login and reply, the person's answer, and the registration
   of the case, each step at the instance the previous one did not use;
2. instance A is killed with SIGKILL in the middle; B carries on with the same sessions and the
   unlocked key, and nothing written before the kill is missing;
3. A is started again; formal reports whose acknowledgement is due make both instances' reminder
   loops race: every reminder mail must reach the SMTP sink exactly once, like every other mail;
4. receipt guesses and wrong passwords alternate between the instances and are held after the
   free attempts at both, not after twice as many;
5. both serve /ready and /metrics; every log line is a JSON object without addresses or e-mails;
6. nginx with deploy/nginx/vertrouwd.conf in front (when an nginx binary is found; the shell
   wrapper installs one in CI): TLS, the proxy's request id in an instance's log, /metrics closed,
   plain HTTP redirected, forged X-Forwarded-For replaced, and an access log without addresses
   or paths;
7. B gets SIGTERM while submissions are in flight: each still gets its receipt, and B exits cleanly.

Exits non-zero with the reason when any check fails. Standard library only.
"""

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ORG = "/o/voorbeeld"
HOST = "127.0.0.1"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


# ----------------------------------------------------------------------------- SMTP sink

class SMTPSink(socketserver.ThreadingTCPServer):
    """Plain SMTP that accepts every message and keeps (recipients, data)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        super().__init__((HOST, 0), SMTPHandler)

    @property
    def port(self):
        return self.server_address[1]

    def received(self):
        with self.lock:
            return list(self.messages)


class SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 sink ESMTP")
        recipients, data = [], None
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 ok")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                lines = []
                while True:
                    part = self.rfile.readline()
                    if not part or part in (b".\r\n", b".\n"):
                        break
                    lines.append(part.decode("utf-8", "replace"))
                data = "".join(lines)
                with self.server.lock:
                    self.server.messages.append((tuple(recipients), data))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


# ----------------------------------------------------------------------------- instances

def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Instance:
    def __init__(self, name, binary, environment, artifacts):
        self.name = name
        self.binary = binary
        self.port = free_port()
        self.data = tempfile.mkdtemp(prefix=f"vertrouwd-{name}-")
        self.environment = dict(environment, VERTROUWD_DATA_DIR=self.data)
        self.log_path = os.path.join(artifacts, f"instance-{name}.log")
        self.process = None
        self.starts = 0

    def start(self, command):
        self.launch(command)
        self.wait_until_ready()

    def launch(self, command):
        self.starts += 1
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [self.binary, command, "--hostname", HOST, "--port", str(self.port)],
            env=self.environment, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def wait_until_ready(self):
        deadline = time.time() + 180
        while time.time() < deadline:
            check(self.process.poll() is None, f"instance {self.name} stopped at start; see {self.log_path}")
            try:
                status, _, body = request(self.port, "GET", "/ready")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise Failure(f"instance {self.name} not ready in time")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self):
        self.process.send_signal(signal.SIGTERM)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def log_lines(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()


class Proxy:
    """nginx with the configuration from deploy/nginx/, as documented, in front of both instances.
    Only what cannot be the same on a test machine is replaced: the listening ports, the
    certificate (made here, self-signed), the log and temporary paths, and the upstream addresses."""

    def __init__(self, nginx, instances, artifacts):
        self.nginx = nginx
        self.port = free_port()
        self.plain_port = free_port()
        self.tls = True
        self.directory = tempfile.mkdtemp(prefix="vertrouwd-nginx-")
        self.log_directory = os.path.join(artifacts, "nginx")
        shutil.rmtree(self.log_directory, ignore_errors=True)
        os.makedirs(self.log_directory)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        certificate = os.path.join(self.directory, "fullchain.pem")
        key = os.path.join(self.directory, "privkey.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=vertrouwd.example.nl", "-keyout", key, "-out", certificate],
                       check=True, capture_output=True)
        with open(os.path.join(root, "deploy/nginx/upstream.conf")) as handle:
            upstream = handle.read()
        servers = "".join(f"    server {HOST}:{i.port} max_fails=3 fail_timeout=10s;\n" for i in instances)
        upstream = re.sub(r"(?m)^    server 10\.0\.0\.\d+:8080 .*\n", "", upstream)
        upstream = upstream.replace("upstream vertrouwd_instances {\n", "upstream vertrouwd_instances {\n" + servers)
        with open(os.path.join(root, "deploy/nginx/vertrouwd.conf")) as handle:
            site = handle.read()
        replacements = [
            ("    listen 80;\n", f"    listen {HOST}:{self.plain_port};\n"),
            ("    listen 443 ssl http2;\n", f"    listen {HOST}:{self.port} ssl http2;\n"),
            ("/etc/ssl/vertrouwd/fullchain.pem", certificate),
            ("/etc/ssl/vertrouwd/privkey.pem", key),
            ("/var/log/nginx/", self.log_directory + "/"),
            # warn, so that the error log says when a body is buffered to a temporary file.
            ("vertrouwd.error.log crit;", "vertrouwd.error.log warn;"),
        ]
        for old, new in replacements:
            check(old in site, f"deploy/nginx/vertrouwd.conf no longer has {old.strip()!r}; update this test")
            site = site.replace(old, new)
        site = re.sub(r"(?m)^    listen \[::\]:.*\n", "", site)
        temporary = os.path.join(self.directory, "temp")
        os.makedirs(temporary)
        # nginx's workers run as an unprivileged user: they may buffer here, so that a configuration
        # that buffers bodies to disk would really do it, and say so in the error log.
        os.chmod(self.directory, 0o755)
        os.chmod(temporary, 0o777)
        with open(os.path.join(self.directory, "upstream.conf"), "w") as handle:
            handle.write(upstream)
        with open(os.path.join(self.directory, "site.conf"), "w") as handle:
            handle.write(site)
        with open(os.path.join(self.directory, "nginx.conf"), "w") as handle:
            handle.write(f"""worker_processes 1;
daemon off;
pid {self.directory}/nginx.pid;
error_log {self.log_directory}/error.log warn;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {temporary}/body;
    proxy_temp_path {temporary}/proxy;
    fastcgi_temp_path {temporary}/fastcgi;
    uwsgi_temp_path {temporary}/uwsgi;
    scgi_temp_path {temporary}/scgi;
    include {self.directory}/upstream.conf;
    include {self.directory}/site.conf;
}}
""")
        self.process = None

    def start(self):
        configuration = os.path.join(self.directory, "nginx.conf")
        test = subprocess.run([self.nginx, "-t", "-c", configuration], capture_output=True, text=True)
        check(test.returncode == 0, f"nginx -t refused the documented configuration: {test.stderr.strip()}")
        self.process = subprocess.Popen([self.nginx, "-c", configuration], stdout=subprocess.DEVNULL,
                                        stderr=open(os.path.join(self.log_directory, "stderr.log"), "w"))
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if request(self.port, "GET", "/ready", tls=True)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise Failure("nginx did not come up")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait()

    def error_log(self):
        path = os.path.join(self.log_directory, "vertrouwd.error.log")
        if not os.path.exists(path):
            return []
        with open(path) as handle:
            return handle.read().splitlines()

    def access_log(self):
        with open(os.path.join(self.log_directory, "vertrouwd.access.log")) as handle:
            return handle.read().splitlines()


def request(port, method, path, body=None, headers=None, tls=False):
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the proxy's certificate is made by this script
        connection = http.client.HTTPSConnection(HOST, port, timeout=120, context=context)
    else:
        connection = http.client.HTTPConnection(HOST, port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


class Client:
    """A browser's cookie jar, whose requests go to whichever instance the test names."""

    def __init__(self, forwarded_for):
        self.cookies = {}
        self.forwarded_for = forwarded_for

    def send(self, instance, method, path, fields=None):
        headers = {"X-Forwarded-For": self.forwarded_for}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, text = request(instance.port, method, path, body, headers, getattr(instance, "tls", False))
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, cookie = pair.partition("=")
                if "max-age=0" in value.lower() or "expires=thu, 01 jan 1970" in value.lower():
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = cookie
        location = next((v for k, v in response_headers if k.lower() == "location"), None)
        return status, location, text

    def get(self, instance, path):
        return self.send(instance, "GET", path)

    def post(self, instance, path, fields, csrf_from):
        token = csrf(csrf_from)
        return self.send(instance, "POST", path, list(fields) + [("csrf", token)])


def csrf(page):
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    check(match, "no CSRF token on the page")
    return match.group(1)


def first(pattern, text, message):
    match = re.search(pattern, text)
    check(match, message)
    return match.group(1)


def totp(secret, at):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def well_formed_receipt():
    """A receipt in the right shape with a right check character (Luhn mod 32), so that it is
    looked up and counted, not refused as mistyped."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(17))
    factor, total = 2, 0
    for character in reversed(body):
        addend = factor * ALPHABET.index(character)
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    code = body + ALPHABET[(32 - total % 32) % 32]
    return "-".join(code[i:i + 6] for i in range(0, 18, 6))


def demo_accounts(instance):
    accounts = {}
    for line in instance.log_lines():
        match = re.search(r"demo-account\s+(.*)$", line)
        if match:
            fields = dict(part.split("=", 1) for part in match.group(1).split())
            accounts[fields["email"]] = fields
    check(accounts, "the demo printed no accounts")
    return accounts


def psql(database_url, statement):
    result = subprocess.run(["psql", database_url, "-v", "ON_ERROR_STOP=1", "-At", "-c", statement],
                            capture_output=True, text=True)
    check(result.returncode == 0, f"psql failed: {result.stderr.strip()}")
    return result.stdout.strip()


# ----------------------------------------------------------------------------- the flow

def submit_contact(client, instance_form, instance_post, counsellor_id, message, path="contact", channel="messages"):
    _, _, form = client.get(instance_form, f"{ORG}/{path}")
    submission = first(r'name="submission" value="([^"]+)"', form, f"no submission id on the {path} form")
    fields = [("counsellor", counsellor_id), ("message", message), ("identity", "anonymous"),
              ("channel", channel), ("submission", submission)]
    if path == "melden":
        fields.append(("kinds[]", "misstanden-maatschappij"))
    status, _, page = client.post(instance_post, f"{ORG}/{path}", fields, form)
    check(status == 200, f"{path} answered {status}")
    return first(r'id="receipt-code">([0-9A-Z-]+)<', page, "no receipt on the receipt page")


def case_paths(dashboard):
    return set(re.findall(r'href="(/backoffice/cases/[0-9A-F-]+)"', dashboard))


def new_case(before, after):
    """The case on the dashboard `after` that was not on `before`. Order alone cannot tell: the demo's
    own waiting case may have been written in the same second as the new one."""
    added = case_paths(after) - case_paths(before)
    check(len(added) == 1, f"expected one new case on the dashboard, found {sorted(added)}")
    return added.pop()


def log_in(client, first_instance, second_instance, account):
    _, _, form = client.get(first_instance, "/login")
    status, location, _ = client.post(second_instance, "/login",
                                      [("email", account["email"]), ("password", account["password"])], form)
    check(location == "/login/2fa", f"password step answered {status} {location}")
    _, _, code_page = client.get(first_instance, "/login/2fa")
    now = time.time()
    if 30 - now % 30 < 3:
        time.sleep(30 - now % 30 + 0.5)
    status, location, _ = client.post(second_instance, "/login/2fa",
                                      [("code", totp(account["totp-secret"], time.time()))], code_page)
    check(status in (302, 303) and location and "/login" not in location, f"code step answered {status} {location}")


def counsellor_id(client, instance, name):
    _, _, page = client.get(instance, f"{ORG}/contact")
    for value, label in re.findall(r'<input[^>]*name="counsellor"[^>]*value="([0-9A-F-]{36})"[^>]*>\s*<label[^>]*>([^<]*)', page):
        if name in label:
            return value
    options = re.findall(r'value="([0-9A-F-]{36})"', page)
    check(options, "no counsellor on the contact form")
    return options[0]


def check_through_proxy(proxy, a, b, anna_id, token):
    visitor = Client("ignored")
    visitor.forwarded_for = "10.9.8.7"  # a client's own header: nginx must replace it
    receipt = submit_contact(visitor, proxy, proxy, anna_id, "Via de proxy: mijn collega intimideert me.")
    check(receipt, "no receipt through the proxy")
    status, headers, _ = request(proxy.port, "GET", "/o/voorbeeld", tls=True)
    request_id = next((v for k, v in headers if k.lower() == "x-request-id"), "")
    check(status == 200 and re.fullmatch(r"[0-9a-f]{32}", request_id or ""),
          f"the proxy's request id did not come back: {status} {request_id!r}")
    logged = any(request_id in line for instance in (a, b) for line in instance.log_lines())
    check(logged, "the proxy's request id is not in either instance's log")
    for spelling in ("/metrics", "/metrics/", "//metrics"):
        status, _, _ = request(proxy.port, "GET", spelling, headers={"Authorization": f"Bearer {token}"}, tls=True)
        check(status == 404, f"{spelling} through the proxy answered {status}")
    status, _, _ = request(proxy.plain_port, "GET", "/o/voorbeeld")
    check(status == 301, f"plain HTTP answered {status}, not a redirect to HTTPS")
    # Every guess claims another X-Forwarded-For; nginx replaces it, so they are still counted together.
    statuses = []
    for attempt in range(11):
        guesser = Client(f"192.0.2.{attempt + 1}")
        _, _, form = guesser.get(proxy, f"{ORG}/inbox")
        status, _, _ = guesser.post(proxy, f"{ORG}/inbox", [("receipt", well_formed_receipt()), ("action", "open")], form)
        statuses.append(status)
    check(statuses[-1] == 429, f"a forged X-Forwarded-For escaped the throttle behind the proxy: {statuses}")
    # A large form never touches the proxy's disk: nginx says in its error log, at warn level, when it
    # buffers a body to a temporary file (with request buffering on, this 400 KB body would be). That
    # answers never do rests on proxy_max_temp_file_size 0: no page here is larger than nginx's
    # memory buffers, so this run cannot show it.
    large = urllib.parse.urlencode([("message", "x" * 400_000), ("csrf", "none")]).encode()
    status, _, _ = request(proxy.port, "POST", f"{ORG}/contact", body=large,
                           headers={"Content-Type": "application/x-www-form-urlencoded"}, tls=True)
    check(status == 403, f"a large form without a valid token answered {status} through the proxy, not the application's 403")
    buffered = [l for l in proxy.error_log() if "temporary file" in l or "/temp/" in l]
    check(not buffered, f"nginx wrote a body to a temporary file: {buffered[:2]}")
    for line in proxy.access_log():
        for forbidden in ("10.9.8.7", "192.0.2.", "/o/", "inbox", "?"):
            check(forbidden not in line, f"the proxy's access log holds {forbidden!r}: {line}")
    print(f"6. through nginx with deploy/nginx/: TLS, request ids, /metrics closed, forged forwarding held {statuses}")


def run(args):
    artifacts = os.path.abspath(args.artifacts)
    os.makedirs(artifacts, exist_ok=True)
    for name in ("instance-a.log", "instance-b.log"):
        open(os.path.join(artifacts, name), "w").close()
    sink = SMTPSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    token = secrets.token_hex(16)
    environment = dict(
        os.environ, DATABASE_URL=args.database_url,
        VERTROUWD_SECRET=base64.b64encode(secrets.token_bytes(32)).decode(),
        VERTROUWD_PUBLIC_URL="http://vertrouwd.test", VERTROUWD_TRUST_PROXY="1",
        VERTROUWD_SMTP_HOST=HOST, VERTROUWD_SMTP_PORT=str(sink.port), VERTROUWD_SMTP_FROM="noreply@vertrouwd.test",
        VERTROUWD_SMTP_SECURITY="none", VERTROUWD_OUTBOX_INTERVAL_SECONDS="1", VERTROUWD_REMINDER_INTERVAL_SECONDS="2",
        VERTROUWD_LOG_FORMAT="json", VERTROUWD_METRICS_TOKEN=token)
    a = Instance("a", args.binary, environment, artifacts)
    b = Instance("b", args.binary, environment, artifacts)
    try:
        # Both start at once on the empty database: the migrations run one after the other.
        a.launch("demo")
        b.launch("serve")
        a.wait_until_ready()
        b.wait_until_ready()
        print(f"instances on :{a.port} and :{b.port}, SMTP sink on :{sink.port}; both migrated the empty database at once")
        accounts = demo_accounts(a)
        anna = next(v for k, v in accounts.items() if k.startswith("anna."))

        # 1. Contact, login, reply, answer: every step at the other instance.
        person = Client("198.51.100.7")
        annas = Client("198.51.100.20")
        anna_id = counsellor_id(person, a, "Anna")
        log_in(annas, b, a, anna)
        _, _, before = annas.get(a, "/backoffice")
        receipt = submit_contact(person, a, b, anna_id, "Mijn teamleider kleineert me in elk overleg.")
        _, _, dashboard = annas.get(b, "/backoffice")
        case_path = new_case(before, dashboard)
        _, _, case_page = annas.get(a, case_path)
        check("kleineert me in elk overleg" in case_page, "the case does not open at A with the key unlocked at A/B")
        status, _, _ = annas.post(b, f"{case_path}/reply", [("message", "Fijn dat je schrijft. Wat wil je bereiken?")], case_page)
        check(status == 303, f"reply answered {status}")
        print("1. contact, login and reply alternated between the instances")

        # 2. A dies in the middle; B carries on with the same sessions and nothing is lost.
        _, _, inbox_form = person.get(a, f"{ORG}/inbox")
        a.kill()
        status, _, opened = person.post(b, f"{ORG}/inbox", [("receipt", receipt), ("action", "open")], inbox_form)
        check(status == 200 and "Wat wil je bereiken?" in opened, "after A died, B does not show the reply")
        status, _, answered = person.post(b, f"{ORG}/inbox", [("receipt", receipt), ("action", "reply"),
                                                               ("message", "Dat het ophoudt.")], opened)
        check("Dat het ophoudt." in answered, "the person's answer at B is not shown")
        _, _, case_page = annas.get(b, case_path)
        check("Dat het ophoudt." in case_page, "after A died, the counsellor's session does not open the case at B")
        status, location, _ = annas.post(b, f"{case_path}/registration", [
            ("kinds[]", "pesten"), ("other_party", "leidinggevende"), ("pattern", "herhaald"),
            ("outcomes[]", "advies"), ("contacts", "2"), ("hours", "1")], case_page)
        check(status == 303, f"registration at B answered {status}")
        case_id = case_path.rsplit("/", 1)[1].lower()
        registered = psql(args.database_url, f"SELECT count(*) FROM case_registrations WHERE case_id = '{case_id}'")
        check(registered == "1", f"expected the registration once, found {registered}")
        print("2. A killed with SIGKILL; B carried on with the same sessions, nothing lost")

        # 3. Reminders and mails exactly once, with both instances' loops racing.
        a.start("serve")
        point = Client("198.51.100.30")
        reports = 6
        for number in range(reports):
            first_instance, second_instance = (a, b) if number % 2 == 0 else (b, a)
            submit_contact(Client(f"198.51.100.{40 + number}"), first_instance, second_instance, anna_id,
                           f"Melding {number}: facturen worden vervalst.", path="melden", channel="written")
        # Time passes: the acknowledgements fall due (the reminder term is at most six days before).
        psql(args.database_url, "UPDATE cases SET received_at = received_at - interval '8 days' WHERE kind = 'report'")
        deadline = time.time() + 60
        while time.time() < deadline:
            waiting = psql(args.database_url, "SELECT count(*) FROM outgoing_mail WHERE sent_at IS NULL AND failed_at IS NULL")
            reminders = psql(args.database_url, "SELECT count(*) FROM outgoing_mail WHERE template = 'reminder-acknowledgement'")
            if waiting == "0" and reminders == str(reports):
                break
            time.sleep(1)
        time.sleep(3)  # a duplicate would arrive in the next rounds
        reminders = int(psql(args.database_url, "SELECT count(*) FROM outgoing_mail WHERE template = 'reminder-acknowledgement'"))
        check(reminders == reports, f"expected {reports} reminders, found {reminders}")
        queued = int(psql(args.database_url, "SELECT count(*) FROM outgoing_mail"))
        unsent = int(psql(args.database_url, "SELECT count(*) FROM outgoing_mail WHERE sent_at IS NULL"))
        check(unsent == 0, f"{unsent} mails were not sent")
        received = sink.received()
        check(len(received) == queued, f"{queued} mails queued, {len(received)} arrived: a mail went twice or not at all")
        reminder_texts = [data for _, data in received if "termijn" in data.lower() or "deadline" in data.lower()]
        check(len(reminder_texts) == reports, f"expected {reports} reminder mails at the sink, got {len(reminder_texts)}")
        print(f"3. {queued} mails ({reports} reminders) arrived exactly once each with both job loops running")

        # 4. Throttles count across the instances.
        guesser = Client("203.0.113.9")
        statuses = []
        for attempt in range(11):
            instance = a if attempt % 2 == 0 else b
            _, _, form = guesser.get(instance, f"{ORG}/inbox")
            wrong = well_formed_receipt()
            status, _, _ = guesser.post(instance, f"{ORG}/inbox", [("receipt", wrong), ("action", "open")], form)
            statuses.append(status)
        check(429 in statuses, f"receipt guesses at two instances were never held: {statuses}")
        check(statuses.index(429) <= 10, f"held only after {statuses.index(429)} guesses: {statuses}")
        logins = []
        intruder = Client("203.0.113.10")
        for attempt in range(7):
            instance = a if attempt % 2 == 0 else b
            _, _, form = intruder.get(instance, "/login")
            status, _, _ = intruder.post(instance, "/login", [("email", anna["email"]), ("password", f"fout-{attempt}")], form)
            logins.append(status)
        check(429 in logins and logins.index(429) <= 5, f"wrong passwords at two instances were not held in time: {logins}")
        print(f"4. guesses held across instances: receipts {statuses}, passwords {logins}")

        # 5. Readiness, metrics, logs.
        for instance in (a, b):
            status, _, body = request(instance.port, "GET", "/ready")
            check(status == 200, f"/ready at {instance.name} answered {status}")
            status, _, body = request(instance.port, "GET", "/metrics", headers={"Authorization": f"Bearer {token}"})
            check(status == 200 and 'path="/o/:slug/inbox"' in body and "vertrouwd_outbox_waiting" in body,
                  f"/metrics at {instance.name} answered {status}")
            check("voorbeeld" not in body, "metrics name the organisation")
        print("5. /ready and /metrics at both instances")

        # 6. Through nginx with the documented configuration.
        if args.nginx:
            proxy = Proxy(args.nginx, [a, b], artifacts)
            try:
                proxy.start()
                check_through_proxy(proxy, a, b, anna_id, token)
            finally:
                proxy.stop()
        else:
            print("6. nginx: not checked (no nginx binary found)")

        # 7. SIGTERM while submissions are in flight: each gets its receipt, B exits cleanly.
        outcomes = []

        forms = []
        for number in range(3):
            client = Client(f"198.51.100.{70 + number}")
            _, _, form = client.get(b, f"{ORG}/contact")
            forms.append((client, form))
        threads = []
        for number, (client, form) in enumerate(forms):
            submission = first(r'name="submission" value="([^"]+)"', form, "no submission id")

            def post(client=client, form=form, submission=submission, number=number):
                try:
                    status, _, page = client.post(b, f"{ORG}/contact", [
                        ("counsellor", anna_id), ("message", f"Bericht tijdens het stoppen {number}"),
                        ("identity", "anonymous"), ("channel", "messages"), ("submission", submission)], form)
                    outcomes.append((status, "receipt-code" in page))
                except Exception as error:  # noqa: BLE001 - reported below
                    outcomes.append(error)

            threads.append(threading.Thread(target=post))
        for thread in threads:
            thread.start()
        time.sleep(0.15)
        b.terminate()
        for thread in threads:
            thread.join(timeout=120)
        code = b.process.wait(timeout=60)
        check(all(outcome == (200, True) for outcome in outcomes),
              f"requests in flight at SIGTERM did not all get their receipt: {outcomes}")
        check(code == 0, f"B exited with {code} after SIGTERM")
        lines = b.log_lines()
        drain = next((i for i, l in enumerate(lines) if "finishing requests in flight" in l), None)
        check(drain is not None, "B did not log its graceful shutdown")
        answered_after = [l for l in lines[drain:] if '"route":"/o/:slug/contact"' in l and '"method":"POST"' in l]
        check(answered_after, "no submission was still in flight at SIGTERM: the check proved nothing")
        stored = int(psql(args.database_url, "SELECT count(*) FROM cases"))
        print(f"7. SIGTERM with {len(answered_after)} of {len(outcomes)} submissions still in flight: "
              f"all answered with a receipt, B exited 0 ({stored} cases)")

        # Every log line of both instances is JSON (after the demo's printed logins) and holds no address.
        for instance in (a, b):
            for line in instance.log_lines():
                # What `vertrouwd demo` prints for people (its logins and receipts) is not log output.
                if line.startswith(("demo-account", "demo-receipt", "Vertrouwd demo", "These demo logins", "The two demo receipts")) \
                        or not line.strip():
                    continue
                try:
                    event = json.loads(line)
                except ValueError:
                    raise Failure(f"{instance.name}: not a JSON log line: {line[:120]}")
                check("level" in event and "message" in event, f"{instance.name}: incomplete log line {line[:120]}")
                for forbidden in ("198.51.100.", "203.0.113.", "@voorbeeld", "@praktijk", receipt):
                    check(forbidden not in line, f"{instance.name} logged {forbidden!r}: {line[:160]}")
            requests = [json.loads(l) for l in instance.log_lines() if l.startswith("{") and '"message":"request"' in l]
            check(requests and all("request-id" in r.get("metadata", {}) for r in requests),
                  f"{instance.name}: request lines without a request id")
        print("logs: JSON lines with request ids, no addresses, no e-mails, no receipts")
    finally:
        for instance in (a, b):
            instance.stop()
        sink.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--artifacts", default="artifacts/multi-instance")
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    parser.add_argument("--nginx", default=found, help="nginx binary; without one the check through the proxy is left out")
    args = parser.parse_args()
    started = time.time()
    try:
        run(args)
    except Failure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
    print(f"multi-instance: all checks passed in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
