#!/usr/bin/env python3
"""Crash safety of contact submissions (issue 9).

Starts the server (`vertrouwd demo`) on a fresh data directory (SQLite, or with --postgres a
throwaway PostgreSQL), sends --contacts contact forms from --clients concurrent clients, kills the
server with SIGKILL once --kill-after receipts have arrived (with many requests in flight), restarts
it on the same data, and checks that

  * every receipt that was received in full opens its case and shows the person's own message;
  * no case is half-written: every case has its key grants (the person's and the chosen
    counsellor's), its first content (form answers and message) and its submission mark, and no
    grant, content or submission row points at a missing case;
  * SQLite: PRAGMA integrity_check says ok (and foreign_key_check finds nothing);
  * no request failed with a server error (5xx) or an unexpected status before the kill.

Cases that were committed but whose receipt was lost in the kill are allowed; they are counted.
The database is checked twice: as the crash left it (before the restart; SQLite on a copy of the
files, recovered from the WAL the way the server would) and after the restart and the openings.

Flood throttles: the contact form lets one client send 5 cases an hour and one organisation 60
(ContactController.clientSubmissions / organisationSubmissions). Every simulated client gets its own
X-Forwarded-For address (VERTROUWD_TRUST_PROXY=1), and the contacts are spread over extra test
organisations, at most --per-organisation each (default 50): copies of the demo organisation
`voorbeeld` with the same counsellors, inserted into the test database before the load. With
--per-organisation >= --contacts everything goes to `voorbeeld`. A contact answered 429 stored
nothing and is only counted; more than 5% of them fails the run (the load was not what was asked).

The server gets a clean environment (VERTROUWD_KDF_CONCURRENCY and NIO_* variables pass through).

Only the Python standard library is used. Examples:

  scripts/crash-safety.py                                  # release build, SQLite, 1,000 contacts
  scripts/crash-safety.py --postgres                       # the same on PostgreSQL
  scripts/crash-safety.py --bin /tmp/vt-debug/vertrouwd --contacts 40 --kill-after 15
  scripts/crash-safety.py --check-db data/vertrouwd.sqlite # only the half-written check on a database

The server's output goes to artifacts/crash-safety/<time>-<backend>.log, a summary to the .json
next to it. Exit code 0 when everything held, 1 on a failed check, 2 on a usage or setup error.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import html
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARTIFACTS = os.path.join(ROOT, "artifacts", "crash-safety")
PG_HELPER = os.path.join(ROOT, "scripts", "postgres-test-server.sh")
DEMO_SLUG = "voorbeeld"
PG_DBNAME = "vertrouwd_crash"
SQLITE_NAME = "vertrouwd.sqlite"  # Application.sqlitePath

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')
SUBMISSION_RE = re.compile(r'name="submission" value="([^"]+)"')
COUNSELLOR_RE = re.compile(r'name="counsellor" value="([0-9A-Fa-f-]{36})"')
RECEIPT_RE = re.compile(r'id="receipt-code">([0-9A-Z-]+)<')
MESSAGE_TEXT_RE = re.compile(r'<p class="message-text">(.*?)</p>', re.S)

# Errors a client sees when the server goes away under it.
CONNECTION_ERRORS = (ConnectionError, http.client.HTTPException, socket.timeout, TimeoutError, OSError)


class SetupError(Exception):
    """The test could not be run (not a failed check)."""


def log(message: str) -> None:
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", flush=True)


# --------------------------------------------------------------------------------------------------
# HTTP: one connection per request, cookies kept by hand (the session cookie carries the CSRF token).


class Client:
    """One simulated browser: its own cookie, its own address in X-Forwarded-For."""

    def __init__(self, port: int, address: str, timeout: float):
        self.port = port
        self.address = address
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            headers = {"X-Forwarded-For": self.address, "Connection": "close", "Accept-Language": "nl"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if form is not None:
                body = urllib.parse.urlencode(form)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()  # raises IncompleteRead if the server dies mid-body
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    if "=" in pair:
                        key, val = pair.split("=", 1)
                        self.cookies[key.strip()] = val.strip()
            extra = {"location": response.getheader("Location") or ""}
            return response.status, data.decode("utf-8", "replace"), extra
        finally:
            connection.close()


def address(block: int, index: int) -> str:
    """A distinct client address per contact / per opening: 10.<block>.<hi>.<lo>."""
    return f"10.{block}.{(index >> 8) & 255}.{index & 255}" if index < 65536 else f"10.{block + 100}.{(index >> 8) & 255}.{index & 255}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


# --------------------------------------------------------------------------------------------------
# The server process.


class Server:
    def __init__(self, binary: str, port: int, env: dict[str, str], log_path: str):
        self.binary = binary
        self.port = port
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        if port_in_use(self.port):
            raise SetupError(f"port {self.port} on 127.0.0.1 is already in use")
        self.starts += 1
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(f"\n===== crash-safety: start {self.starts} at {datetime.datetime.now().isoformat(timespec='seconds')} =====\n")
        logfile = open(self.log_path, "ab")
        try:
            # The binary itself, no shell: process.pid is the server, so SIGKILL reaches it and nothing else.
            self.process = subprocess.Popen(
                [self.binary, "demo", "--hostname", "127.0.0.1", "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=logfile, stderr=subprocess.STDOUT,
                start_new_session=True)
        finally:
            logfile.close()
        try:
            exe = os.path.realpath(os.readlink(f"/proc/{self.process.pid}/exe"))
            if exe != os.path.realpath(self.binary):
                raise SetupError(f"pid {self.process.pid} runs {exe}, not {self.binary}")
        except FileNotFoundError:
            pass  # already gone; wait_healthy reports it

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_healthy(self, timeout: float) -> float:
        """Seconds until GET /health answered 200."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if not self.alive():
                raise SetupError(f"the server exited with code {self.process.returncode} before it was healthy")
            try:
                status, _, _ = Client(self.port, "127.0.0.1", 5).request("GET", "/health")
                if status == 200:
                    return time.monotonic() - started
            except CONNECTION_ERRORS:
                pass
            time.sleep(0.25)
        raise SetupError(f"the server did not answer /health with 200 within {timeout:.0f} s")

    def kill9(self) -> None:
        if self.alive():
            os.kill(self.process.pid, signal.SIGKILL)

    def wait_exit(self, timeout: float = 30) -> int | None:
        if self.process is None:
            return None
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = 30) -> None:
        """Graceful stop (SIGTERM), SIGKILL if it does not end in time."""
        if not self.alive():
            return
        try:
            os.kill(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        if self.wait_exit(timeout) is None:
            self.kill9()
            self.wait_exit(10)


def log_tail(path: str, lines: int = 60) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no log)"


def scan_log(path: str) -> dict[str, int]:
    """Server-side view: requests answered 5xx and error-level lines, per server start."""
    counts = {"5xx": 0, "error_lines": 0}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if re.search(r"status: 5\d\d\b", line):
                    counts["5xx"] += 1
                if line.startswith("[ ERROR ]") or line.startswith("[ CRITICAL ]"):
                    counts["error_lines"] += 1
    except OSError:
        pass
    return counts


# --------------------------------------------------------------------------------------------------
# Database access: the same checks on SQLite (sqlite3) and PostgreSQL (psql).


def pg_bindir() -> str:
    if os.environ.get("PG_BINDIR"):
        return os.environ["PG_BINDIR"]
    base = "/usr/lib/postgresql"
    candidates = []
    if os.path.isdir(base):
        for name in os.listdir(base):
            path = os.path.join(base, name, "bin")
            if os.path.isdir(path):
                candidates.append(path)

    def version_key(path: str):
        parts = os.path.basename(os.path.dirname(path)).split(".")
        return [int(p) if p.isdigit() else 0 for p in parts]

    if not candidates:
        raise SetupError("no PostgreSQL binaries under /usr/lib/postgresql (apt-get install postgresql-15)")
    return sorted(candidates, key=version_key)[-1]


class Database:
    backend = "?"

    def rows(self, sql: str) -> list[tuple[str, ...]]:
        """Every value as text (NULL as ''), so both backends compare alike."""
        raise NotImplementedError

    def execute_script(self, statements: list[str]) -> None:
        raise NotImplementedError

    def uuid_literal(self, value: uuid.UUID) -> str:
        raise NotImplementedError

    def close(self) -> None:
        pass


class SQLiteDatabase(Database):
    backend = "sqlite"

    def __init__(self, path: str, read_only: bool = True):
        if not os.path.exists(path):
            raise SetupError(f"no SQLite database at {path}")
        mode = "ro" if read_only else "rw"
        self.path = path
        self.connection = sqlite3.connect(f"file:{path}?mode={mode}", uri=True, timeout=30, isolation_level=None)

    def rows(self, sql: str) -> list[tuple[str, ...]]:
        return [tuple("" if v is None else str(v) for v in row) for row in self.connection.execute(sql).fetchall()]

    def execute_script(self, statements: list[str]) -> None:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                self.connection.execute(statement)
            self.connection.execute("COMMIT")
        except Exception:
            self.connection.execute("ROLLBACK")
            raise

    def uuid_literal(self, value: uuid.UUID) -> str:
        # Fluent on SQLite stores UUIDs as upper-case text (Swift's uuidString).
        return f"'{str(value).upper()}'"

    def integrity(self) -> tuple[str, list]:
        result = [row[0] for row in self.connection.execute("PRAGMA integrity_check").fetchall()]
        foreign = self.connection.execute("PRAGMA foreign_key_check").fetchall()
        return ("ok" if result == ["ok"] else "; ".join(result[:10])), foreign

    def close(self) -> None:
        self.connection.close()


class PostgresDatabase(Database):
    backend = "postgres"

    def __init__(self, url: str):
        self.url = url
        self.psql = os.path.join(pg_bindir(), "psql")
        if not os.path.exists(self.psql):
            self.psql = shutil.which("psql") or self.psql

    def _run(self, sql: str) -> str:
        result = subprocess.run(
            [self.psql, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", self.url, "-c", sql],
            capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise RuntimeError(f"psql failed ({result.returncode}): {result.stderr.strip()}")
        return result.stdout

    def rows(self, sql: str) -> list[tuple[str, ...]]:
        out = self._run(sql)
        return [tuple(line.split("\t")) for line in out.splitlines() if line != ""]

    def execute_script(self, statements: list[str]) -> None:
        self._run("BEGIN; " + "; ".join(statements) + "; COMMIT;")

    def uuid_literal(self, value: uuid.UUID) -> str:
        return f"'{value}'::uuid"

    def wait_idle(self, timeout: float) -> bool:
        """Waits until no other session is connected to the database (the killed server's backends
        have noticed and ended, finishing or rolling back what they had)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            others = self.rows("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND pid <> pg_backend_pid()")
            if others and others[0][0] == "0":
                return True
            time.sleep(0.2)
        return False


# --------------------------------------------------------------------------------------------------
# Test organisations: copies of the demo organisation with the same counsellors, so that the
# per-organisation flood throttle (60 cases an hour) does not hold a 1,000-contact run back.


def table_columns(db: Database, table: str) -> list[str]:
    if isinstance(db, SQLiteDatabase):
        return [row[1] for row in db.rows(f'PRAGMA table_info("{table}")')]
    return [row[0] for row in db.rows(
        f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position")]


def add_organisations(db: Database, count: int) -> list[str]:
    """Inserts `count` copies of the demo organisation (slug crash-test-NN) with its memberships."""
    if count <= 0:
        return []
    demo = db.rows(f"SELECT id FROM organisations WHERE slug = '{DEMO_SLUG}'")
    if not demo:
        raise SetupError("the demo organisation is missing")
    demo_id = demo[0][0]
    org_columns = table_columns(db, "organisations")
    member_columns = table_columns(db, "organisation_memberships")
    memberships = [row[0] for row in db.rows(
        f"SELECT id FROM organisation_memberships WHERE CAST(organisation_id AS TEXT) = '{demo_id}'")]
    statements, slugs = [], []
    for n in range(1, count + 1):
        slug = f"crash-test-{n:02d}"
        new_id = db.uuid_literal(uuid.uuid4())
        exprs = []
        for column in org_columns:
            if column == "id":
                exprs.append(new_id)
            elif column == "slug":
                exprs.append(f"'{slug}'")
            elif column == "name":
                exprs.append(f"'Crash test {n:02d}'")
            else:
                exprs.append(f'"{column}"')
        cols = ", ".join(f'"{c}"' for c in org_columns)
        statements.append(
            f"INSERT INTO organisations ({cols}) SELECT {', '.join(exprs)} FROM organisations WHERE slug = '{DEMO_SLUG}'")
        for membership in memberships:
            exprs = []
            for column in member_columns:
                if column == "id":
                    exprs.append(db.uuid_literal(uuid.uuid4()))
                elif column == "organisation_id":
                    exprs.append(new_id)
                else:
                    exprs.append(f'"{column}"')
            cols = ", ".join(f'"{c}"' for c in member_columns)
            statements.append(
                f"INSERT INTO organisation_memberships ({cols}) SELECT {', '.join(exprs)} FROM organisation_memberships "
                f"WHERE CAST(id AS TEXT) = '{membership}'")
        slugs.append(slug)
    db.execute_script(statements)
    return slugs


# --------------------------------------------------------------------------------------------------
# The half-written check.


@dataclass
class CaseReport:
    cases: int = 0
    checked: int = 0
    complete: int = 0
    half_written: list[tuple[str, list[str]]] = field(default_factory=list)
    unexpected: list[tuple[str, list[str]]] = field(default_factory=list)
    orphans: dict[str, int] = field(default_factory=dict)
    integrity: str = "n/a"
    foreign_key_violations: int = 0

    @property
    def ok(self) -> bool:
        return (not self.half_written and not any(self.orphans.values())
                and self.integrity in ("ok", "n/a") and self.foreign_key_violations == 0)

    def summary(self) -> str:
        parts = [f"{self.cases} cases ({self.checked} checked), {self.complete} complete, "
                 f"{len(self.half_written)} half-written"]
        if any(self.orphans.values()):
            parts.append("orphan rows " + ", ".join(f"{k}={v}" for k, v in self.orphans.items() if v))
        if self.unexpected:
            parts.append(f"{len(self.unexpected)} with unexpected extra rows")
        if self.integrity != "n/a":
            parts.append(f"integrity_check {self.integrity}, foreign_key_check {self.foreign_key_violations} rows")
        return "; ".join(parts)


def check_cases(db: Database, exclude: set[str] | None = None) -> CaseReport:
    """What one contact submission writes (ContactController.submit, one transaction):

    cases row (kind, key_version 1, receipt_lookup, reporter_salt, reporter_public_key), key grants
    sealed at version 1 to the reporter and to the chosen counsellor (CaseVault.prepareCase/store),
    content 'form' and 'message' by the reporter (plus 'identity' unless anonymous, attachments,
    journal entries), and one case_submissions row. A case missing any of these is half-written.
    Cases in `exclude` (present before the load) are not held to this shape.
    """
    exclude = exclude or set()
    report = CaseReport()
    norm = str.upper  # PostgreSQL prints UUIDs in lower case, Fluent's SQLite text is upper case

    cases = db.rows(
        "SELECT CAST(id AS TEXT), CAST(organisation_id AS TEXT), kind, key_version, "
        "CASE WHEN receipt_lookup IS NULL OR receipt_lookup = '' THEN 0 ELSE 1 END, "
        "COALESCE(length(reporter_salt), 0), COALESCE(length(reporter_public_key), 0) FROM cases")
    grants = db.rows(
        "SELECT CAST(case_id AS TEXT), recipient, key_version, COALESCE(CAST(counsellor_id AS TEXT), ''), "
        "length(encapsulated_key), length(sealed_key) FROM case_key_grants")
    contents = db.rows(
        "SELECT CAST(case_id AS TEXT), field, author, key_version, revision, length(ciphertext) FROM case_contents")
    submissions = db.rows("SELECT CAST(case_id AS TEXT) FROM case_submissions")
    members = db.rows(
        "SELECT CAST(organisation_id AS TEXT), CAST(account_id AS TEXT) FROM organisation_memberships "
        "WHERE counsellor_kind IS NOT NULL")

    counsellors_of: dict[str, set[str]] = {}
    for org, account in members:
        counsellors_of.setdefault(norm(org), set()).add(norm(account))
    grants_of: dict[str, list] = {}
    for row in grants:
        grants_of.setdefault(norm(row[0]), []).append(row)
    contents_of: dict[str, list] = {}
    for row in contents:
        contents_of.setdefault(norm(row[0]), []).append(row)
    submissions_of: dict[str, int] = {}
    for (case_id,) in submissions:
        submissions_of[norm(case_id)] = submissions_of.get(norm(case_id), 0) + 1

    case_ids = {norm(row[0]) for row in cases}
    report.cases = len(cases)
    report.orphans = {
        "case_key_grants": sum(1 for row in grants if norm(row[0]) not in case_ids),
        "case_contents": sum(1 for row in contents if norm(row[0]) not in case_ids),
        "case_submissions": sum(1 for (c,) in submissions if norm(c) not in case_ids),
    }

    for case_id, org, kind, key_version, has_lookup, salt_len, public_len in cases:
        case_id, org = norm(case_id), norm(org)
        if case_id in exclude:
            continue
        report.checked += 1
        missing, extra = [], []
        if kind not in ("contact", "report"):
            extra.append(f"kind {kind!r}")
        if key_version != "1":
            extra.append(f"key_version {key_version}")
        if has_lookup != "1":
            missing.append("receipt_lookup")
        if salt_len != "16":
            missing.append(f"reporter_salt ({salt_len} bytes)")
        if public_len != "32":
            missing.append(f"reporter_public_key ({public_len} bytes)")

        case_grants = grants_of.get(case_id, [])
        reporter = [g for g in case_grants if g[1] == "reporter" and g[2] == "1" and g[3] == ""]
        counsellor = [g for g in case_grants if g[1] == "counsellor" and g[2] == "1" and g[3] != ""]
        if len(reporter) != 1:
            missing.append(f"{len(reporter)} reporter key grants (want 1)")
        if not counsellor:
            missing.append("no counsellor key grant")
        for g in counsellor:
            if norm(g[3]) not in counsellors_of.get(org, set()):
                extra.append(f"grant to {g[3]}, not a counsellor of the organisation")
        for g in reporter + counsellor:
            if g[4] in ("", "0") or g[5] in ("", "0"):
                missing.append(f"empty sealed key in a {g[1]} grant")
        others = [g for g in case_grants if g not in reporter and g not in counsellor]
        if others:
            extra.append(f"{len(others)} other key grants")
        if len(counsellor) > 1:
            extra.append(f"{len(counsellor)} counsellor grants (one counsellor was chosen)")

        case_contents = contents_of.get(case_id, [])
        for wanted in ("form", "message"):
            found = [c for c in case_contents if c[1] == wanted and c[2] == "reporter"]
            if not found:
                missing.append(f"no {wanted} content")
            elif len(found) > 1:
                extra.append(f"{len(found)} {wanted} contents")
        for c in case_contents:
            if c[5] in ("", "0"):
                missing.append(f"empty ciphertext in {c[1]}")
            if c[3] != "1" or c[4] != "1":
                extra.append(f"{c[1]} at key version {c[3]} revision {c[4]}")
        others = [c for c in case_contents if c[1] not in ("form", "message")]
        if others:
            extra.append("other contents: " + ",".join(sorted({c[1] for c in others})))

        n_submissions = submissions_of.get(case_id, 0)
        if n_submissions == 0:
            missing.append("no case_submissions row")
        elif n_submissions > 1:
            extra.append(f"{n_submissions} case_submissions rows")

        if missing:
            report.half_written.append((case_id, missing + extra))
        else:
            report.complete += 1
            if extra:
                report.unexpected.append((case_id, extra))

    if isinstance(db, SQLiteDatabase):
        report.integrity, foreign = db.integrity()
        report.foreign_key_violations = len(foreign)
    return report


def print_case_report(title: str, report: CaseReport) -> None:
    log(f"{title}: {report.summary()}")
    for case_id, problems in report.half_written[:20]:
        log(f"  HALF-WRITTEN case {case_id}: {'; '.join(problems)}")
    for case_id, problems in report.unexpected[:10]:
        log(f"  unexpected in case {case_id}: {'; '.join(problems)}")


def case_ids(db: Database) -> set[str]:
    return {row[0].upper() for row in db.rows("SELECT CAST(id AS TEXT) FROM cases")}


# --------------------------------------------------------------------------------------------------
# The load.


@dataclass
class Receipt:
    index: int
    slug: str
    message: str
    code: str


@dataclass
class LoadResult:
    receipts: list[Receipt] = field(default_factory=list)
    posted: int = 0
    not_sent: int = 0
    lost_in_kill: int = 0
    lost_errors: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    other_answers: dict[str, int] = field(default_factory=dict)  # "POST contact 500": count
    posts_5xx: int = 0
    throttled: int = 0
    in_flight_at_kill: int = 0
    kill_at: float | None = None
    started_at: float = 0.0
    finished_at: float = 0.0
    receipts_at_kill: int = 0


class Load:
    def __init__(self, server: Server, args, slugs: list[str]):
        self.server = server
        self.args = args
        self.slugs = slugs
        self.lock = threading.Lock()
        self.killed = threading.Event()
        self.result = LoadResult()
        self.in_flight = 0
        self.run_tag = "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(8))

    def kill_now(self, reason: str) -> None:
        # Called under self.lock.
        if self.killed.is_set():
            return
        self.killed.set()
        self.result.kill_at = time.monotonic()
        self.result.in_flight_at_kill = self.in_flight
        self.result.receipts_at_kill = len(self.result.receipts)
        self.server.kill9()
        log(f"SIGKILL sent to server pid {self.server.process.pid} ({reason}); "
            f"{self.result.receipts_at_kill} receipts in, {self.in_flight} contact POSTs in flight")

    def one_contact(self, index: int) -> None:
        if self.killed.is_set():
            with self.lock:
                self.result.not_sent += 1
            return
        slug = self.slugs[index % len(self.slugs)]
        message = f"crash-test message {index} {self.run_tag} {random.getrandbits(64):016x}"
        client = Client(self.server.port, address(1, index), self.args.request_timeout)
        stage = "GET contact form"
        try:
            status, page, _ = client.request("GET", f"/o/{slug}/contact")
            if status != 200:
                self.unexpected(index, stage, status, page)
                return
            csrf, submission = CSRF_RE.search(page), SUBMISSION_RE.search(page)
            counsellors = COUNSELLOR_RE.findall(page)
            if not csrf or not submission or not counsellors:
                self.fail(f"contact {index}: the form on /o/{slug}/contact lacks csrf/submission/counsellor fields")
                return
            if self.killed.is_set():
                with self.lock:
                    self.result.not_sent += 1
                return
            stage = "POST contact"
            form = {
                "csrf": csrf.group(1), "submission": submission.group(1),
                "counsellor": counsellors[index % len(counsellors)], "message": message,
                "identity": "anonymous", "channel": "messages",
            }
            with self.lock:
                self.in_flight += 1
                self.result.posted += 1
            try:
                status, page, extra = client.request("POST", f"/o/{slug}/contact", form)
            finally:
                with self.lock:
                    self.in_flight -= 1
            if status != 200:
                self.unexpected(index, stage, status, page, extra.get("location", ""))
                return
            match = RECEIPT_RE.search(page)
            if not match:
                self.fail(f"contact {index}: 200 without a receipt code")
                return
            with self.lock:
                self.result.receipts.append(Receipt(index, slug, message, match.group(1)))
                if len(self.result.receipts) >= self.args.kill_after:
                    self.kill_now(f"{self.args.kill_after} receipts received")
        except CONNECTION_ERRORS as error:
            with self.lock:
                if self.killed.is_set():
                    if stage != "POST contact":
                        self.result.not_sent += 1  # only the form was being fetched
                        return
                    self.result.lost_in_kill += 1
                    name = type(error).__name__
                    self.result.lost_errors[name] = self.result.lost_errors.get(name, 0) + 1
                    return
            self.fail(f"contact {index}: {stage} failed before the kill: {type(error).__name__}: {error}")

    def unexpected(self, index: int, stage: str, status: int, page: str, location: str = "") -> None:
        errors = re.findall(r'class="error-message"[^>]*>([^<]+)<', page)
        detail = f": {html.unescape(errors[0]).strip()}" if errors else ""
        with self.lock:
            key = f"{stage} {status}"
            self.result.other_answers[key] = self.result.other_answers.get(key, 0) + 1
            if stage == "POST contact" and status >= 500:
                self.result.posts_5xx += 1
            if status == 429:
                # The flood throttle held this one back: nothing was stored, the person is told to wait.
                # Not a crash-safety failure; too many of them are (see run()).
                self.result.throttled += 1
                if self.result.throttled <= 3:
                    log(f"note: contact {index}: {stage} answered 429 (flood throttle){detail}")
                return
        hint = f" (redirect to {location}: 'already sent'?)" if status in (301, 302, 303) else ""
        self.fail(f"contact {index}: {stage} answered {status}{hint}{detail}")

    def fail(self, message: str) -> None:
        with self.lock:
            self.result.failures.append(message)
            first = len(self.result.failures) <= 10
        if first:
            log(f"FAIL {message}")

    def run(self) -> LoadResult:
        self.result.started_at = time.monotonic()
        executor = concurrent.futures.ThreadPoolExecutor(max_workers=self.args.clients, thread_name_prefix="contact")
        try:
            futures = [executor.submit(self.one_contact, i) for i in range(self.args.contacts)]
            last_report = time.monotonic()
            pending = set(futures)
            while pending:
                done, pending = concurrent.futures.wait(pending, timeout=5)
                for f in done:
                    if f.exception() is not None:
                        self.fail(f"client thread crashed: {f.exception()!r}")
                if time.monotonic() - last_report > 15 and not self.killed.is_set():
                    with self.lock:
                        log(f"  {len(self.result.receipts)} receipts, {self.result.posted} posted, "
                            f"{self.in_flight} in flight, {len(self.result.failures)} failures")
                    last_report = time.monotonic()
            with self.lock:
                if not self.killed.is_set():
                    # Every contact finished before the threshold (failures): kill anyway, it is a crash test.
                    self.kill_now("all contacts done before the threshold")
        except BaseException:
            # Interrupted: stop the clients first (they would wait for their answers otherwise).
            self.killed.set()
            self.server.kill9()
            raise
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        self.result.finished_at = time.monotonic()
        return self.result


def open_receipts(server: Server, receipts: list[Receipt], clients: int, timeout: float) -> tuple[int, list[str]]:
    port = server.port
    ok = 0
    failures: list[str] = []
    lock = threading.Lock()

    def one(position: int, receipt: Receipt) -> None:
        nonlocal ok
        client = Client(port, address(2, position), timeout)
        try:
            status, page, _ = client.request("GET", f"/o/{receipt.slug}/inbox")
            csrf = CSRF_RE.search(page)
            if status != 200 or not csrf:
                raise RuntimeError(f"GET inbox answered {status}" + ("" if csrf else " without a csrf field"))
            status, page, _ = client.request(
                "POST", f"/o/{receipt.slug}/inbox", {"csrf": csrf.group(1), "receipt": receipt.code, "action": "open"})
            if status != 200:
                errors = re.findall(r'class="error-message"[^>]*>([^<]+)<', page)
                raise RuntimeError(f"open answered {status}" + (f": {html.unescape(errors[0])}" if errors else ""))
            texts = [html.unescape(t).strip() for t in MESSAGE_TEXT_RE.findall(page)]
            if receipt.message not in texts:
                raise RuntimeError(f"opened, but the message is not shown (messages on the page: {texts[:3]})")
            with lock:
                ok += 1
        except Exception as error:  # noqa: BLE001 - every failure of an opening is reported
            with lock:
                failures.append(f"receipt {receipt.code} (contact {receipt.index}, /o/{receipt.slug}): {error}")

    executor = concurrent.futures.ThreadPoolExecutor(max_workers=clients, thread_name_prefix="open")
    try:
        futures = [executor.submit(one, position, receipt) for position, receipt in enumerate(receipts)]
        concurrent.futures.wait(futures)
    except BaseException:
        server.kill9()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    return ok, failures


# --------------------------------------------------------------------------------------------------
# The run.


class Cleanup:
    def __init__(self):
        self.server: Server | None = None
        self.pg_dir: str | None = None
        self.temp_dirs: list[str] = []
        self.keep = False

    def run(self) -> None:
        if self.server is not None:
            try:
                if self.server.alive():
                    self.server.kill9()
                    self.server.wait_exit(10)
            except Exception as error:  # noqa: BLE001
                print(f"cleanup: could not stop the server: {error}", file=sys.stderr)
        if self.pg_dir is not None:
            subprocess.run(["bash", PG_HELPER, "stop", self.pg_dir], stdout=subprocess.DEVNULL, stderr=sys.stderr, check=False)
            self.pg_dir = None
        for directory in self.temp_dirs:
            if self.keep:
                print(f"kept {directory}", file=sys.stderr)
            else:
                shutil.rmtree(directory, ignore_errors=True)
        self.temp_dirs = []


def copy_sqlite_as_left(data_dir: str, into: str) -> str:
    """The database files as the crash left them (the main file and the WAL, not the shared-memory
    index), so that opening the copy recovers from the WAL exactly as the restarted server would."""
    target = os.path.join(into, SQLITE_NAME)
    for suffix in ("", "-wal"):
        source = os.path.join(data_dir, SQLITE_NAME + suffix)
        if os.path.exists(source):
            shutil.copy2(source, target + suffix)
    return target


def run(args) -> int:
    cleanup = Cleanup()
    cleanup.keep = args.keep
    failures: list[str] = []
    timings: dict[str, float] = {}
    summary: dict = {"backend": "postgres" if args.postgres else "sqlite", "contacts": args.contacts,
                     "kill_after": args.kill_after, "clients": args.clients, "binary": args.bin}
    os.makedirs(ARTIFACTS, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    log_path = os.path.join(ARTIFACTS, f"{stamp}-{summary['backend']}.log")
    summary_path = log_path[:-4] + ".json"
    server: Server | None = None
    overall = time.monotonic()

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        workdir = tempfile.mkdtemp(prefix="vertrouwd-crash-")
        cleanup.temp_dirs.append(workdir)
        os.chmod(workdir, 0o711)  # the postgres OS user must reach its directory inside
        data_dir = os.path.join(workdir, "data")
        os.makedirs(data_dir, mode=0o700)
        port = args.port or free_port()
        # A clean environment for the server; VERTROUWD_KDF_CONCURRENCY alone may be passed through.
        env = {k: v for k, v in os.environ.items()
               if (not k.startswith("VERTROUWD_") or k == "VERTROUWD_KDF_CONCURRENCY") and k != "DATABASE_URL"}
        env.update({"VERTROUWD_DATA_DIR": data_dir, "VERTROUWD_TRUST_PROXY": "1", "LOG_LEVEL": "info"})

        db_url = None
        if args.postgres:
            if port_in_use(args.pg_port):
                raise SetupError(f"port {args.pg_port} is in use (choose another with --pg-port)")
            pg_dir = os.path.join(workdir, "pg")
            cleanup.pg_dir = pg_dir
            log(f"starting PostgreSQL on port {args.pg_port}")
            result = subprocess.run(["bash", PG_HELPER, "start", pg_dir, str(args.pg_port), PG_DBNAME],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise SetupError(f"PostgreSQL did not start: {result.stderr.strip()}")
            db_url = f"postgres://postgres@127.0.0.1:{args.pg_port}/{PG_DBNAME}"
            env["DATABASE_URL"] = db_url

        def open_db(read_only: bool = True) -> Database:
            if db_url:
                return PostgresDatabase(db_url)
            return SQLiteDatabase(os.path.join(data_dir, SQLITE_NAME), read_only=read_only)

        server = Server(args.bin, port, env, log_path)
        cleanup.server = server
        log(f"starting {args.bin} demo on 127.0.0.1:{port} ({summary['backend']}), log {os.path.relpath(log_path, ROOT)}")
        server.start()
        timings["first_start_s"] = server.wait_healthy(args.startup_timeout)
        log(f"healthy after {timings['first_start_s']:.1f} s")

        # Spread the contacts over enough organisations for the per-organisation flood throttle.
        organisations = max(1, -(-args.contacts // args.per_organisation))
        db = open_db(read_only=False)
        try:
            slugs = [DEMO_SLUG] + add_organisations(db, organisations - 1)
            baseline = case_ids(db)
        finally:
            db.close()
        summary["organisations"] = len(slugs)
        log(f"{len(slugs)} organisation(s) take the contacts (at most {args.per_organisation} each); "
            f"{len(baseline)} case(s) existed before the load")

        # ---- load and kill
        log(f"sending {args.contacts} contacts from {args.clients} clients; SIGKILL after {args.kill_after} receipts")
        load = Load(server, args, slugs)
        result = load.run()
        code = server.wait_exit(30)
        if code is None:
            failures.append("the server did not exit after SIGKILL")
        elif code != -signal.SIGKILL:
            failures.append(f"the server ended with {code}, not by SIGKILL")
        timings["load_until_kill_s"] = (result.kill_at or result.finished_at) - result.started_at
        timings["drain_after_kill_s"] = result.finished_at - (result.kill_at or result.finished_at)
        rate = result.receipts_at_kill / timings["load_until_kill_s"] if timings["load_until_kill_s"] > 0 else 0
        log(f"load: {len(result.receipts)} receipts ({result.receipts_at_kill} when the kill was sent) in "
            f"{timings['load_until_kill_s']:.1f} s ({rate:.2f}/s); {result.posted} POSTs sent, "
            f"{result.lost_in_kill} lost in the kill {result.lost_errors or ''}, {result.not_sent} never sent; "
            f"clients stopped {timings['drain_after_kill_s']:.1f} s after the kill")
        failures.extend(result.failures)
        if result.receipts_at_kill < args.kill_after:
            failures.append(f"every contact had finished with only {result.receipts_at_kill} receipts, before the "
                            f"--kill-after threshold of {args.kill_after}: the kill did not come part-way")
        server_side = scan_log(log_path)
        if server_side["5xx"]:
            failures.append(f"the server log shows {server_side['5xx']} request(s) answered 5xx before the kill")
        if result.failures and len(result.failures) > 10:
            log(f"... and {len(result.failures) - 10} more failures during the load")

        codes = [r.code for r in result.receipts]
        if len(set(codes)) != len(codes):
            failures.append("the same receipt code was handed out twice")

        # ---- the database as the crash left it
        if db_url:
            pg = PostgresDatabase(db_url)
            if not pg.wait_idle(30):
                failures.append("PostgreSQL still had the killed server's sessions after 30 s")
            crashed = check_cases(pg, exclude=baseline)
        else:
            copy_dir = os.path.join(workdir, "as-left")
            os.makedirs(copy_dir)
            copy = SQLiteDatabase(copy_sqlite_as_left(data_dir, copy_dir), read_only=False)
            try:
                crashed = check_cases(copy, exclude=baseline)
            finally:
                copy.close()
        print_case_report("database as the crash left it", crashed)
        if not crashed.ok:
            failures.append(f"database as the crash left it: {crashed.summary()}")

        # ---- restart and open every receipt
        log("restarting the server on the same data")
        server.start()
        timings["restart_s"] = server.wait_healthy(args.startup_timeout)
        log(f"healthy again after {timings['restart_s']:.1f} s; opening {len(result.receipts)} receipts")
        started = time.monotonic()
        opened_ok, open_failures = open_receipts(server, result.receipts, args.clients, args.request_timeout)
        timings["open_s"] = time.monotonic() - started
        log(f"opened {opened_ok}/{len(result.receipts)} receipts in {timings['open_s']:.1f} s")
        for failure in open_failures[:20]:
            log(f"FAIL {failure}")
        failures.extend(open_failures)
        if not server.alive():
            failures.append("the restarted server died during the openings")
        log_before_stop = scan_log(log_path)
        server.stop()

        # ---- the database after the restart
        db = open_db()
        try:
            final = check_cases(db, exclude=baseline)
        finally:
            db.close()
        print_case_report("database after the restart", final)
        if not final.ok:
            failures.append(f"database after the restart: {final.summary()}")
        if final.checked != crashed.checked:
            failures.append(f"{crashed.checked} new cases right after the crash but {final.checked} after the restart")
        # Every received receipt is one case (the openings show its own message); the other new cases
        # were committed while their answer was lost: in the kill, or in a 5xx answer (a person who
        # got an error page while the case exists without a receipt anyone holds).
        without_receipt = final.checked - len(result.receipts)
        committed_despite_error = min(max(0, without_receipt - result.lost_in_kill), result.posts_5xx)
        if committed_despite_error:
            failures.append(
                f"{without_receipt} cases without a receipt but only {result.lost_in_kill} POSTs lost in the kill: "
                f"at least {committed_despite_error} of the {result.posts_5xx} POSTs answered 5xx committed their case")
        if without_receipt > result.lost_in_kill + result.posts_5xx:
            failures.append(f"{without_receipt} cases without a receipt, more than the POSTs lost in the kill "
                            f"({result.lost_in_kill}) and answered 5xx ({result.posts_5xx}) together")
        if result.throttled > max(1, args.contacts // 20):
            failures.append(f"{result.throttled} contacts were held back by the flood throttle (429): "
                            f"lower --per-organisation")
        if final.checked < len(result.receipts):
            failures.append(f"{len(result.receipts)} receipts but only {final.checked} new cases")
        if final.checked > result.posted:
            failures.append(f"{final.checked} new cases from only {result.posted} submitted forms")
        if log_before_stop["5xx"] > server_side["5xx"]:
            failures.append(f"{log_before_stop['5xx'] - server_side['5xx']} request(s) answered 5xx after the restart")

        timings["total_s"] = time.monotonic() - overall
        summary.update({
            "ok": not failures,
            "organisations": len(slugs),
            "posted": result.posted,
            "receipts_received": len(result.receipts),
            "receipts_at_kill": result.receipts_at_kill,
            "in_flight_at_kill": result.in_flight_at_kill,
            "lost_in_kill": result.lost_in_kill,
            "lost_errors": result.lost_errors,
            "never_sent": result.not_sent,
            "answers_other_than_200": result.other_answers,
            "throttled_429": result.throttled,
            "posts_answered_5xx_with_case_committed_at_least": committed_despite_error,
            "cases_in_db": final.cases,
            "new_cases": final.checked,
            "receipts_opened_ok": opened_ok,
            "cases_without_receipt": without_receipt,
            "half_written_cases": len(final.half_written),
            "half_written_after_crash": len(crashed.half_written),
            "unexpected_shapes": len(final.unexpected),
            "orphan_rows": final.orphans,
            "integrity_check": final.integrity,
            "integrity_check_after_crash": crashed.integrity,
            "server_log": {"5xx": log_before_stop["5xx"], "error_lines": log_before_stop["error_lines"]},
            "timings_s": {k: round(v, 1) for k, v in timings.items()},
            "failures": failures[:200],
            "log": os.path.relpath(log_path, ROOT),
        })

        print()
        print(f"crash-safety ({summary['backend']}, {os.path.basename(args.bin)}): "
              f"{args.contacts} contacts, {args.clients} clients, {len(slugs)} organisation(s)")
        print(f"  receipts received:        {len(result.receipts)} (kill sent at {result.receipts_at_kill}, "
              f"{result.in_flight_at_kill} POSTs in flight)")
        print(f"  lost in the kill:         {result.lost_in_kill}; never sent: {result.not_sent}")
        if result.other_answers:
            print("  answers other than 200:   " + ", ".join(f"{k}: {v}" for k, v in sorted(result.other_answers.items())))
        print(f"  cases in the database:    {final.cases} ({final.checked} new)")
        print(f"  receipts opened OK:       {opened_ok}/{len(result.receipts)}")
        print(f"  cases without a receipt:  {without_receipt} (committed, the answer lost in the kill: allowed"
              + (f"; at least {committed_despite_error} answered 5xx instead" if committed_despite_error else "") + ")")
        print(f"  half-written cases:       {len(final.half_written)} (after the crash: {len(crashed.half_written)})")
        if final.integrity != "n/a":
            print(f"  integrity_check:          {final.integrity} (after the crash: {crashed.integrity})")
        print(f"  server log:               {log_before_stop['5xx']} answers 5xx, {log_before_stop['error_lines']} error lines")
        print("  timings:                  " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
        print(f"  log:                      {os.path.relpath(log_path, ROOT)}")
        if failures:
            print(f"FAILED: {len(failures)} problem(s):")
            for failure in failures[:30]:
                print(f"  - {failure}")
            print(f"\n--- last lines of {os.path.relpath(log_path, ROOT)} ---")
            print(log_tail(log_path))
            return 1
        if result.throttled:
            print(f"note: {result.throttled} contact(s) answered 429 by the flood throttle (nothing stored; not a crash-safety failure)")
        print("OK: every received receipt opened its case, no case is half-written")
        return 0
    except SetupError as error:
        print(f"crash-safety: {error}", file=sys.stderr)
        summary.update({"ok": False, "setup_error": str(error)})
        if os.path.exists(log_path):
            print(f"\n--- last lines of {os.path.relpath(log_path, ROOT)} ---\n{log_tail(log_path)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ncrash-safety: interrupted, cleaning up", file=sys.stderr)
        summary.update({"ok": False, "interrupted": True})
        return 130
    finally:
        # Signals during the cleanup must not cut it short.
        for s in previous:
            signal.signal(s, signal.SIG_IGN)
        cleanup.run()
        try:
            with open(summary_path, "w", encoding="utf-8") as f:
                json.dump(summary, f, indent=2)
        except OSError:
            pass
        for s, handler in previous.items():
            signal.signal(s, handler)


def check_only(target: str) -> int:
    """Runs only the half-written check (and SQLite's integrity check) on an existing database."""
    if target.startswith(("postgres://", "postgresql://")):
        db: Database = PostgresDatabase(target)
    else:
        db = SQLiteDatabase(target, read_only=True)
    try:
        report = check_cases(db)
    finally:
        db.close()
    print_case_report(f"check of {target}", report)
    return 0 if report.ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Kill the server with SIGKILL in the middle of 1,000 contacts; check receipts and cases after the restart.")
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "vertrouwd"),
                        help="the server binary (default: .build/release/vertrouwd)")
    parser.add_argument("--contacts", type=int, default=1000, help="contacts to send (default 1000)")
    parser.add_argument("--kill-after", type=int, help="SIGKILL once this many receipts arrived (default: half of --contacts)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--postgres", action="store_true", help="run against a throwaway PostgreSQL instead of SQLite")
    parser.add_argument("--port", type=int, help="the server's port (default: a free one)")
    parser.add_argument("--pg-port", type=int, default=54339, help="the throwaway PostgreSQL's port (default 54339)")
    parser.add_argument("--per-organisation", type=int, default=50,
                        help="contacts per organisation, below the 60-an-hour organisation flood throttle (default 50); "
                             ">= --contacts sends everything to the demo organisation")
    parser.add_argument("--startup-timeout", type=float, default=300, help="seconds to wait for /health (default 300)")
    parser.add_argument("--request-timeout", type=float, default=600, help="seconds per HTTP request (default 600)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory (for a look afterwards)")
    parser.add_argument("--check-db", metavar="SQLITE_FILE_OR_POSTGRES_URL",
                        help="only run the half-written check on this database, then exit")
    args = parser.parse_args()

    if args.check_db:
        try:
            return check_only(args.check_db)
        except (SetupError, RuntimeError, sqlite3.Error) as error:
            print(f"crash-safety: {error}", file=sys.stderr)
            return 2

    if args.kill_after is None:
        args.kill_after = args.contacts // 2
    if args.contacts < 2 or not 1 <= args.kill_after < args.contacts:
        parser.error("need --contacts >= 2 and 1 <= --kill-after < --contacts")
    if args.clients < 1 or args.per_organisation < 1:
        parser.error("--clients and --per-organisation must be at least 1")
    args.bin = os.path.abspath(args.bin)
    if not os.access(args.bin, os.X_OK):
        parser.error(f"no executable server binary at {args.bin} (build it, or pass --bin)")
    if args.postgres and os.geteuid() != 0:
        parser.error("--postgres needs root (scripts/postgres-test-server.sh uses runuser -u postgres)")
    if args.pg_port == 54329:
        parser.error("port 54329 belongs to another test; choose another --pg-port")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
