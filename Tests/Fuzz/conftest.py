"""Property-based fuzzing of every HTML form of Vertrouwd (issue 9), against `vertrouwd demo`.

Run through scripts/fuzz-forms.sh, which starts the demo server and sets:

  VERTROUWD_BASE_URL     the app, default http://127.0.0.1:8095
  VERTROUWD_SERVER_LOG   the server's stdout and stderr (demo-account lines, request log)
  VERTROUWD_SERVER_PID   the server's process id (checked for being alive)
  FUZZ_SERVER_BIN, FUZZ_SERVER_DATA_DIR, FUZZ_SERVER_PORT, FUZZ_SERVER_PIDFILE, FUZZ_REPO
                         when set, a server that crashed is started again (on the same data, its
                         output appended to the log) so the other forms are still fuzzed
  FUZZ_ARTIFACTS         where fuzz-report.json goes

Knobs: FUZZ_EXAMPLES (random examples per form, default 30), FUZZ_SEED (default 9; "random" for a
new draw each run), FUZZ_FORM_SECONDS (a form's random examples stop sending after this long,
default 20; 0 = no limit), FUZZ_RAW_SHARE (raw-body examples in 100, default 15),
FUZZ_CRAWL_DEPTH (3), FUZZ_CRAWL_PAGES (pages per visitor, 150), FUZZ_ALL_VISITORS (1: fuzz a form
once for every visitor that sees it, not only the first), FUZZ_SLOW_SECONDS (responses listed as
slow, default 5), FUZZ_TIMEOUT (seconds to wait for a response, 60); and in test_forms.py
FUZZ_TRACE, FUZZ_AVOID, FUZZ_REPEAT_CRASHES.

Forms are found at collection time: the visitors log in (or contact a counsellor, or start a
journal) and crawl; each distinct form (method, route, field names, hidden words such as
action=reply) is one test, in an order that keeps destructive forms (close a case, delete a
journal, log out) for the end.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fuzz_client import Dropped, FoundForm, Form, Visitor, crawl, parse_page, raw_request
from fuzz_setup import (ORG, SetupError, VisitorPlan, admin_fixtures, demo_accounts, login, make_cases,
                        prepare_anonymous, prepare_person, prepare_staff, start_journal)

BASE_URL = os.environ.get("VERTROUWD_BASE_URL", "http://127.0.0.1:8095").rstrip("/")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
SEED = os.environ.get("FUZZ_SEED", "9")
RAW_SHARE = int(os.environ.get("FUZZ_RAW_SHARE", "15"))
CRAWL_DEPTH = int(os.environ.get("FUZZ_CRAWL_DEPTH", "3"))
CRAWL_PAGES = int(os.environ.get("FUZZ_CRAWL_PAGES", "150"))
ALL_VISITORS = os.environ.get("FUZZ_ALL_VISITORS", "0") == "1"
TIMEOUT = float(os.environ.get("FUZZ_TIMEOUT", "60"))
# A form's examples stop sending after this many seconds (forms that run scrypt: login, journal);
# 0: no limit.
FORM_SECONDS = float(os.environ.get("FUZZ_FORM_SECONDS", "20"))
# Responses slower than this are listed in the summary (not a failure).
SLOW_SECONDS = float(os.environ.get("FUZZ_SLOW_SECONDS", "5"))

# Forms that end a session or destroy what later forms need: fuzzed last, in this order.
LATE = [
    (2, re.compile(r"action=withdraw|/logboek/verwijderen|/articles/\{id\}/delete")),
    (3, re.compile(r"/logboek/sluiten|/cases/flag|/cases/remove-flagged|/cases/\{id\}/(close|status|revoke|share)\b")),
    (4, re.compile(r"/cases/\{id\}/transfer|/backoffice/handover|/jaarverslag/.*/(release|correct)")),
    (5, re.compile(r"/admin/accounts/\{id\}|/admin/organisations/\{id\}$|/admin/organisations/\{id\} ")),
    (9, re.compile(r"/logout")),
]
VISITOR_ORDER = ["login-pending", "anonymous", "person", "counsellor", "organisation-contact", "admin"]


@dataclass
class FormCase:
    plan: VisitorPlan
    found: FoundForm
    phase: int
    ident: str

    @property
    def visitor(self) -> Visitor:
        return self.plan.visitor

    @property
    def form(self) -> Form:
        return self.found.form


@dataclass
class Discovery:
    plans: dict[str, VisitorPlan] = field(default_factory=dict)
    found: dict[str, list[FoundForm]] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    cases: list[FormCase] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    accounts: dict[str, list[dict]] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None


_discovery: Discovery | None = None


def ident_of(found: FoundForm) -> str:
    form = found.form
    words = " ".join(w for w in found.form.signature[3])
    return f"{found.visitor}:{form.method} {form.route}" + (f" [{words}]" if words else "")


def phase_of(ident: str) -> int:
    for phase, pattern in LATE:
        if pattern.search(ident):
            return phase
    return 0 if ident.startswith("login-pending:") else 1


def discover() -> Discovery:
    """Log the visitors in, put them in their states and crawl; once per run."""
    global _discovery
    if _discovery is not None:
        return _discovery
    d = _discovery = Discovery()
    started = time.monotonic()
    log = os.environ.get("VERTROUWD_SERVER_LOG")
    try:
        if not log:
            raise SetupError("VERTROUWD_SERVER_LOG is not set; run scripts/fuzz-forms.sh")
        health = raw_request(*host_port(), "GET", "/health", [], None, 10)
        if health.status != 200:
            raise SetupError(f"/health answered {health.status}")
        d.accounts = accounts = demo_accounts(log)
        for role in ("admin", "counsellor", "organisation-contact"):
            if not accounts.get(role):
                raise SetupError(f"no demo-account role={role} line in {log}")
        admin = prepare_staff("admin", BASE_URL, accounts["admin"][0], "/admin", [], "198.51.100.30")
        made = admin_fixtures(admin.visitor)
        admin.starts = [p for p in (made["account"], made["organisation"]) if p] + [
            "/admin", "/admin/accounts/new", "/admin/organisations/new", "/admin/audit", "/account/password"]
        d.notes.append(f"admin made: {made}")
        receipts = make_cases(BASE_URL, 3)
        d.notes.append(f"{len(receipts)} extra cases for the internal counsellor")
        person = prepare_person(BASE_URL)
        d.notes += [f"person: {n}" for n in person.notes]
        counsellor = prepare_staff(
            "counsellor", BASE_URL, accounts["counsellor"][0], "/backoffice",
            ["/backoffice", "/backoffice/handover", "/backoffice/retention", "/backoffice/jaarverslag",
             "/account/profile", "/account/password"], "198.51.100.31")
        contact = prepare_staff("organisation-contact", BASE_URL, accounts["organisation-contact"][0], "/management",
                                ["/management", "/account/password"], "198.51.100.32")
        anonymous = prepare_anonymous(BASE_URL, made["activation"])
        # The second-factor form needs a password step first. Wrong codes hold that account back
        # (throttle), so it is one that no other visitor logs in with: the external counsellor.
        pending_account = (accounts["counsellor"][1:] or accounts["organisation-contact"])[0]
        pending = VisitorPlan(Visitor("login-pending", BASE_URL, "198.51.100.33", TIMEOUT), ["/login/2fa"],
                              home="/login/2fa")
        login(pending.visitor, pending_account, pending_only=True)
        pending.visitor.account = pending_account
        for plan in (pending, anonymous, person, counsellor, contact, admin):
            plan.visitor.timeout = TIMEOUT
            d.plans[plan.visitor.name] = plan
            depth = 0 if plan is pending else CRAWL_DEPTH
            forms, pages = crawl(plan.visitor, plan.starts, plan.entry_pages, depth, CRAWL_PAGES)
            d.found[plan.visitor.name] = forms
            d.pages[plan.visitor.name] = len(pages)
        seen: set[tuple] = set()
        for name in VISITOR_ORDER:
            for found in d.found.get(name, []):
                if not ALL_VISITORS and found.form.signature in seen:
                    continue
                seen.add(found.form.signature)
                ident = ident_of(found)
                d.cases.append(FormCase(d.plans[name], found, phase_of(ident), ident))
        d.cases.sort(key=lambda c: (c.phase, VISITOR_ORDER.index(c.found.visitor)))
    except (SetupError, Dropped, OSError) as error:
        d.error = f"{type(error).__name__}: {error}"
    d.seconds = time.monotonic() - started
    return d


def host_port() -> tuple[str, int]:
    from urllib.parse import urlsplit
    parts = urlsplit(BASE_URL)
    return parts.hostname or "127.0.0.1", parts.port or 80


def pytest_generate_tests(metafunc):
    if "case" in metafunc.fixturenames:
        d = discover()
        cases = d.cases or [None]
        metafunc.parametrize("case", cases, ids=[c.ident if c else "no-forms" for c in cases])


# --------------------------------------------------------------------------- the server


class Server:
    """The server under test: alive?, its log, and (when the runner allows) a restart after a crash."""

    def __init__(self):
        self.log = Path(os.environ.get("VERTROUWD_SERVER_LOG", "/dev/null"))
        self.pidfile = os.environ.get("FUZZ_SERVER_PIDFILE")
        pid = os.environ.get("VERTROUWD_SERVER_PID")
        self.pid = int(pid) if pid and pid.isdigit() else None
        self.process: subprocess.Popen | None = None
        self.crashes: list[dict] = []
        self.down_since: str | None = None  # set when it crashed and could not be started again
        self.restarts = 0
        self.crash_shapes: dict[tuple, str] = {}  # request shapes that crashed it, and on which form

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        if self.pid is None:
            return True
        try:
            state = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state not in ("Z", "X")

    def healthy(self) -> tuple[bool, str]:
        try:
            response = raw_request(*host_port(), "GET", "/health", [("User-Agent", "vertrouwd-form-fuzzer")], None, 15)
        except Dropped as error:
            return False, f"/health: {error}"
        return response.status == 200, f"/health answered {response.status}"

    def log_size(self) -> int:
        try:
            return self.log.stat().st_size
        except OSError:
            return 0

    def log_since(self, offset: int) -> str:
        try:
            with self.log.open("rb") as handle:
                handle.seek(offset)
                return handle.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def can_restart(self) -> bool:
        return all(os.environ.get(k) for k in ("FUZZ_SERVER_BIN", "FUZZ_SERVER_DATA_DIR", "FUZZ_SERVER_PORT",
                                               "FUZZ_SERVER_PIDFILE"))

    def restart(self) -> bool:
        """Start the demo again on the same data dir and port, appending to the same log."""
        if not self.can_restart():
            return False
        self.restarts += 1
        with self.log.open("ab") as handle:
            handle.write(f"\n===== fuzz-forms: server crashed; restart {self.restarts} =====\n".encode())
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env["VERTROUWD_DATA_DIR"] = os.environ["FUZZ_SERVER_DATA_DIR"]
        env["VERTROUWD_TRUST_PROXY"] = "1"
        log = self.log.open("ab")
        self.process = subprocess.Popen(
            ["stdbuf", "-oL", "-eL", os.environ["FUZZ_SERVER_BIN"], "demo", "--hostname", host_port()[0],
             "--port", os.environ["FUZZ_SERVER_PORT"]],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
            cwd=os.environ.get("FUZZ_REPO", os.getcwd()))
        Path(os.environ["FUZZ_SERVER_PIDFILE"]).write_text(str(self.process.pid))
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if self.healthy()[0]:
                return True
            time.sleep(0.5)
        return False


_server: Server | None = None


def server() -> Server:
    global _server
    if _server is None:
        _server = Server()
    return _server


def restore_visitors(d: Discovery) -> list[str]:
    """After a restart: what was kept in memory (a counsellor's unlocked key, an open journal, a
    half-done login) is gone; sessions themselves are in the database."""
    problems = []
    for plan in d.plans.values():
        visitor = plan.visitor
        if visitor.name == "login-pending":
            continue  # its form comes first and is done; its account is held back by then anyway
        if visitor.name != "counsellor" and plan.state_ok():
            continue
        try:
            if plan.visitor.name == "login-pending":
                visitor.cookies.clear()
                login(visitor, visitor.account, pending_only=True)
            elif visitor.account is not None:
                visitor.cookies.clear()
                login(visitor, visitor.account)
            elif visitor.name == "person":
                start_journal(visitor)
        except (SetupError, Dropped) as error:
            problems.append(f"{visitor.name}: {error}")
    return problems


def restore_state(case: FormCase) -> str | None:
    """Before fuzzing a form: put its visitor back in its state if it lost it (logged out, journal closed)."""
    plan = case.plan
    if plan.state_ok():
        return None
    visitor = plan.visitor
    try:
        if visitor.name == "login-pending":
            visitor.cookies.clear()
            login(visitor, visitor.account, pending_only=True)
        elif visitor.account is not None:
            visitor.cookies.clear()
            login(visitor, visitor.account)
        elif visitor.name == "person":
            start_journal(visitor)
    except (SetupError, Dropped) as error:
        return f"{visitor.name} lost its state and could not get it back: {error}"
    return f"{visitor.name} had lost its state; restored"


# --------------------------------------------------------------------------- bookkeeping


@dataclass
class FormStats:
    ident: str
    examples: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    failure: str | None = None
    source: str = ""
    over_budget: int = 0
    avoided: int = 0
    known_crash: int = 0


class Stats:
    def __init__(self):
        self.forms: dict[str, FormStats] = {}
        self.started = time.monotonic()
        self.notes: list[str] = []
        self.slow: list[tuple[float, str, object, str]] = []

    def form(self, ident: str) -> FormStats:
        return self.forms.setdefault(ident, FormStats(ident))


_stats = Stats()


def stats() -> Stats:
    return _stats


def pytest_sessionstart(session):
    _stats.started = time.monotonic()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    d = _discovery
    if d is None:
        return
    tr = terminalreporter
    tr.section("form fuzzing")
    if d.error:
        tr.write_line(f"setup failed: {d.error}")
    tr.write_line(f"discovery (logins, setup, crawl): {d.seconds:.1f}s")
    for name in VISITOR_ORDER:
        if name in d.found:
            fuzzed = sum(1 for c in d.cases if c.found.visitor == name)
            tr.write_line(f"  {name:22} {d.pages.get(name, 0):4} pages  {len(d.found[name]):3} forms found  "
                          f"{fuzzed:3} fuzzed as this visitor")
    for note in d.notes:
        tr.write_line(f"  note: {note}")
    total = sum(s.examples for s in _stats.forms.values())
    statuses: dict[int, int] = {}
    for s in _stats.forms.values():
        for code, count in s.statuses.items():
            statuses[code] = statuses.get(code, 0) + count
    elapsed = time.monotonic() - _stats.started
    skipped = sum(s.over_budget for s in _stats.forms.values())
    avoided = sum(s.avoided for s in _stats.forms.values())
    known = sum(s.known_crash for s in _stats.forms.values())
    tr.write_line(f"forms fuzzed: {len(_stats.forms)}, examples sent: {total} (incl. shrinking; not sent: "
                  f"{skipped} over a form's time budget of {FORM_SECONDS:.0f}s, {known} of a shape that "
                  f"already crashed the server, {avoided} matching FUZZ_AVOID), "
                  f"statuses: {dict(sorted(statuses.items()))} (0 = no response)")
    tr.write_line(f"whole run: {elapsed:.0f}s ({elapsed / 60:.1f} min); examples per form: {EXAMPLES}, seed: {SEED}")
    srv = _server
    if srv is not None:
        tr.write_line(f"server crashes: {len(srv.crashes)}, restarts: {srv.restarts}")
        causes: dict[str, list[str]] = {}
        for crash in srv.crashes:
            cause = (crash["summary"].splitlines() or ["?"])[0]
            causes.setdefault(cause, []).append(crash["form"])
        for cause, forms in causes.items():
            tr.write_line(f"  crash cause: {cause}  ({len(forms)}x: {', '.join(forms)})")
        for crash in srv.crashes:
            tr.write_line(f"  CRASH in {crash['form']}:")
            for line in crash["request"].splitlines():
                tr.write_line(f"    > {line}")
            for line in crash.get("fields", "").splitlines()[:14]:
                tr.write_line(f"    = {line[:240]}")
            for line in crash["summary"].splitlines()[:8]:
                tr.write_line(f"    | {line}")
    for note in _stats.notes:
        tr.write_line(f"  note: {note}")
    if _stats.slow:
        tr.write_line(f"responses slower than {SLOW_SECONDS:.0f}s: {len(_stats.slow)}; the slowest:")
        for took, ident, status, described in sorted(_stats.slow, key=lambda s: -s[0])[:5]:
            tr.write_line(f"  {took:.1f}s {ident} -> {status}: {described.splitlines()[0]}; "
                          f"{' '.join(described.splitlines()[1:3])}; {described.splitlines()[3][:160]}")
    failures = [s for s in _stats.forms.values() if s.failure]
    for s in failures:
        tr.write_line(f"  FAILED {s.ident}: {s.failure.splitlines()[0]}")
    artifacts = os.environ.get("FUZZ_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        report = {
            "seed": SEED, "examples_per_form": EXAMPLES, "form_seconds": FORM_SECONDS,
            "seconds": round(elapsed, 1),
            "discovery_seconds": round(d.seconds, 1), "setup_error": d.error,
            "visitors": {name: {"pages": d.pages.get(name, 0), "forms_found": len(d.found.get(name, [])),
                                "forms_fuzzed": sum(1 for c in d.cases if c.found.visitor == name)}
                         for name in d.found},
            "forms": [{"form": s.ident, "requests": s.examples, "not_sent_over_budget": s.over_budget, "not_sent_avoided": s.avoided,
                       "not_sent_known_crash": s.known_crash,
                       "statuses": s.statuses, "seconds": round(s.seconds, 1), "found_on": s.source,
                       "failure": s.failure} for s in _stats.forms.values()],
            "crashes": srv.crashes if srv else [],
            "slow_responses": [{"seconds": round(t, 1), "form": i, "status": st, "request": d[:2000]}
                               for t, i, st, d in sorted(_stats.slow, key=lambda s: -s[0])],
            "notes": d.notes + _stats.notes,
        }
        (Path(artifacts) / "fuzz-report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def discovery() -> Discovery:
    return discover()


@pytest.fixture(scope="session")
def srv() -> Server:
    return server()


class FormPages:
    """The form as its page shows it now, for each example of one test.

    Fetched again for every example when the page's hidden values change between two fetches
    (one-time tokens such as the contact form's `submission`); otherwise fetched once per test.
    When no page shows the form any more (a closed case), or only a POST showed it (the receipt
    page, the inbox), the stored form is used with the session's current CSRF token."""

    def __init__(self, case: FormCase):
        self.case = case
        self.cached: tuple[Form, str] | None = None
        self.volatile: bool | None = None

    def forget(self) -> None:
        self.cached, self.volatile = None, None

    def form(self) -> tuple[Form, str]:
        if self.volatile is False and self.cached is not None:
            return self.cached
        first = self.fetch()
        if self.volatile is None:
            second = self.fetch()
            self.volatile = hidden_values(first[0]) != hidden_values(second[0])
            first = second
        self.cached = first
        return first

    def fetch(self) -> tuple[Form, str]:
        case = self.case
        visitor = case.visitor
        for source in case.found.sources:
            if source.method != "GET":
                continue
            response, final = visitor.get(source.target)
            if response.status >= 500:
                raise AssertionError(
                    f"fetching the page with the form, GET {source.target}, answered {response.status} "
                    f"(after earlier fuzzing of {case.ident})")
            if response.status == 200 and response.is_html:
                for form in parse_page(response.text, final, visitor.base_url).forms:
                    if form.signature == case.form.signature:
                        return form, f"GET {final}"
        stored = copy.deepcopy(case.form)
        token = current_csrf(visitor)
        control = stored.control("csrf")
        if control is not None and token:
            control.value = token
        return stored, "stored form (" + ", ".join(s.describe() for s in case.found.sources[:2]) + ")"


def hidden_values(form: Form) -> list[tuple[str, str]]:
    return [(c.name, c.value) for c in form.controls if c.kind == "hidden" and c.name != "csrf"]


def current_csrf(visitor: Visitor) -> str | None:
    response, final = visitor.get(f"{ORG}/inbox")
    for form in parse_page(response.text, final, visitor.base_url).forms:
        if form.csrf:
            return form.csrf
    return None
