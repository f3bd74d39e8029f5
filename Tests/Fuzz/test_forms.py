"""Property-based fuzzing of every HTML form (issue 9): random and malformed values must never
give a server error (5xx), drop the connection or crash the server.

Forms are found by crawling as several visitors (see conftest.py); each is one `test_form` case:
first a dozen fixed cases that every form gets (odd content types such as an empty multipart
boundary, JSON, broken percent-encoding, invalid UTF-8, a broken multipart body, no body, deep
nesting, every text at its longest, odd files on file fields), then FUZZ_EXAMPLES random examples
drawn by Hypothesis (fuzz_strategies.py). For each request the page with the form is fetched again
when it carries one-time tokens, then:
  - the response is there (no dropped connection, no time-out) and its status is below 500,
  - /health still answers 200 and the server process is alive.
At the end the server log must hold no error-level line ("request failed" is logged for every 5xx)
and the server must still run.

A random example that gives a 5xx is shrunk by Hypothesis; the failure shows the form's action, the
minimal request and what the server logged for it. A request that crashes the server is not shrunk
(each try would take it down again): it is reported as it was, the server is started again and its
kind of request is not sent again in this run (FUZZ_REPEAT_CRASHES=1 to see every form it reaches).
"""

from __future__ import annotations

import itertools
import os
import re
import time

import pytest
from hypothesis import HealthCheck, Phase, given, note, seed, settings

from conftest import (EXAMPLES, FORM_SECONDS, RAW_SHARE, SEED, SLOW_SECONDS, FormCase, FormPages, Server, discover,
                      restore_state, restore_visitors, stats)
from fuzz_client import Dropped
from fuzz_strategies import Plan, build, crash_shape, explicit_plans, plans, query_plans

_addresses = itertools.count(1)


def next_client_address() -> str:
    """A different (made-up, never contacted) client for each request, so per-client throttles
    let most requests reach the handlers; the server trusts X-Forwarded-For in this run."""
    n = next(_addresses)
    return f"198.18.{(n >> 8) & 0xFF}.{n & 0xFF}"


ERROR_LINE = re.compile(r"\[ (ERROR|CRITICAL) \]|request failed|Fatal error|Segmentation fault|"
                        r"Illegal instruction|Trace/breakpoint trap|Swift runtime failure|Received signal|💣")


def related_log(text: str) -> str:
    """The error lines in a piece of the server log, each with the request line of the same request-id."""
    lines = text.splitlines()
    picked: list[str] = []
    for line in lines:
        if ERROR_LINE.search(line):
            picked.append(line)
            rid = re.search(r"request-id: ([0-9A-F-]{36})", line)
            if rid:
                picked += [other for other in lines if rid.group(1) in other and other is not line
                           and other not in picked]
    return "\n".join(picked) if picked else "\n".join(lines[-8:])


TRACE = os.environ.get("FUZZ_TRACE")
# FUZZ_AVOID=regex: requests whose description (method, target, Content-Type, start of the body, or
# the fields as drawn) matches are not sent, to look past a known problem, e.g. FUZZ_AVOID="boundary='"
# for a crash on an empty multipart boundary.
AVOID = re.compile(os.environ["FUZZ_AVOID"]) if os.environ.get("FUZZ_AVOID") else None
# FUZZ_REPEAT_CRASHES=1: send a request of a shape that already crashed the server again on later
# forms (to see which forms a crash reaches), instead of once per run.
REPEAT_CRASHES = os.environ.get("FUZZ_REPEAT_CRASHES", "0") == "1"


def trace(case: FormCase, built, status, took: float) -> None:
    """FUZZ_TRACE=file: one line per request (form, status, seconds, what was sent), to look into a run."""
    if TRACE:
        with open(TRACE, "a", encoding="utf-8") as handle:
            handle.write(f"{case.ident}\t{status}\t{took:.2f}\t{built.describe()[:400]!r}\n")


def safe_note(text: str) -> None:
    """Hypothesis's note() (shown with a falsifying example); outside an example (fixed cases) nothing."""
    try:
        note(text)
    except Exception:
        pass


def server_crashed(message: str) -> None:
    """One place to raise from, so that Hypothesis sees the replayed crash as the same failure."""
    raise AssertionError(message)


def wait_for_crash_report(srv: Server, offset: int, seconds: float = 15.0) -> str:
    """The log since `offset`, once the Swift runtime has finished writing its crash report."""
    deadline = time.monotonic() + seconds
    logged = srv.log_since(offset)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = srv.log_since(offset)
        if now == logged and ("Backtrace took" in now or "crashed" not in now):
            break
        logged = now
    return logged


def crash_summary(logged: str) -> str:
    """The crash message and the crashing thread's first frames from a Swift crash report."""
    lines = logged.splitlines()
    picked = [line for line in lines if re.search(r"Fatal error|Precondition failed|Assertion failed|"
                                                  r"Program crashed|Swift runtime failure", line)]
    for index, line in enumerate(lines):
        if re.search(r"^Thread \d+.* crashed:", line):
            picked.append(line)
            picked += [f for f in lines[index + 1:index + 16] if f.strip()][:12]
            break
    return "\n".join(picked) if picked else "\n".join(lines[-20:])


def test_discovery(discovery):
    """The crawl found the forms of every visitor (or the setup says why not)."""
    assert discovery.error is None, f"setup or crawl failed: {discovery.error}"
    for name, minimum in (("anonymous", 5), ("person", 5), ("counsellor", 8), ("admin", 5), ("login-pending", 1)):
        assert len(discovery.found.get(name, [])) >= minimum, \
            f"{name} found {len(discovery.found.get(name, []))} forms, expected at least {minimum}"


def test_form(case: FormCase | None, srv: Server):
    if case is None:
        pytest.fail(f"no forms to fuzz: {discover().error}")
    if srv.down_since:
        pytest.fail(f"the server is down since it crashed on {srv.down_since}")
    restored = restore_state(case)
    if restored:
        stats().notes.append(f"before {case.ident}: {restored}")
    form_stats = stats().form(case.ident)
    form_stats.source = ", ".join(s.describe() for s in case.found.sources[:3])
    pages = FormPages(case)
    crash_plan: list[Plan] = []  # the example that crashed the server: replayed as a failure, never re-sent
    crash_error: list[str] = []
    failed: list[bool] = []
    budget_end: float | None = None  # set when the random examples start

    def check(plan: Plan) -> None:
        if crash_plan:
            if plan == crash_plan[0]:
                server_crashed(crash_error[0])
            return  # no shrinking through crashes: each would take the server down again
        shape = crash_shape(plan)
        if shape is not None and shape in srv.crash_shapes and not REPEAT_CRASHES:
            form_stats.known_crash += 1
            return  # crashed the server on an earlier form: not again (see the report for that crash)
        if budget_end is not None and not failed and time.monotonic() > budget_end:
            form_stats.over_budget += 1
            return  # this form's time is up (scrypt forms): the examples left pass without a request
        try:
            send_and_check(plan)
        except AssertionError:
            failed.append(True)
            raise

    def send_and_check(plan: Plan) -> None:
        started = time.monotonic()
        form, source = pages.form()
        built = build(plan, form)
        if AVOID is not None and (AVOID.search(built.describe()) or AVOID.search(plan.describe())):
            form_stats.avoided += 1
            return  # FUZZ_AVOID: a known problem, to look past it
        safe_note(f"form: {case.ident}\n  found on: {source}\n  action: {form.action}")
        safe_note("request:\n  " + built.describe())
        offset = srv.log_size()
        cookies = dict(case.visitor.cookies)
        sent = time.monotonic()
        try:
            response = case.visitor.request(built.method, built.target, built.body, built.content_type,
                                            client_address=next_client_address())
            status: int | str = response.status
        except Dropped as error:
            response, status = None, f"dropped: {error}"
        took = time.monotonic() - sent
        if case.visitor.cookies != cookies:
            pages.forget()  # a new session (journal opened, logged out): a new CSRF token
        trace(case, built, status, took)
        if took >= SLOW_SECONDS and response is not None:
            stats().slow.append((took, case.ident, status, built.describe()))
        form_stats.examples += 1
        form_stats.seconds += time.monotonic() - started
        form_stats.statuses[status if isinstance(status, int) else 0] = \
            form_stats.statuses.get(status if isinstance(status, int) else 0, 0) + 1
        if response is None or response.status >= 500:
            time.sleep(0.3)  # let the server finish its log lines
        healthy, health = srv.healthy()
        alive = srv.alive()
        if not alive or (response is None and not healthy):
            logged = wait_for_crash_report(srv, offset)
            summary = crash_summary(logged)
            message = (f"SERVER CRASH on {case.ident}: {status}; process alive: {alive}; {health}\n"
                       f"request:\n  {built.describe()}\nwhat was sent, by field:\n{plan.describe()}\n"
                       f"the server said:\n{summary}")
            srv.crashes.append({"form": case.ident, "request": built.describe(), "fields": plan.describe(),
                                "summary": summary,
                                "log": logged[-6000:]})
            crash_plan.append(plan)
            crash_error.append(message)
            shape = crash_shape(plan)
            if shape is not None:
                srv.crash_shapes[shape] = case.ident
            if srv.restart():
                problems = restore_visitors(discover())
                pages.forget()
                stats().notes.append(f"restarted the server after the crash on {case.ident}"
                                     + (f"; {problems}" if problems else ""))
            else:
                srv.down_since = case.ident
            server_crashed(message)
        if response is None:
            raise AssertionError(f"{case.ident}: the connection dropped ({status}) but the server lives\n"
                                 f"request:\n  {built.describe()}")
        if response.status >= 500:
            raise AssertionError(
                f"{case.ident}: HTTP {response.status} from {built.method} {built.target}\n"
                f"request:\n  {built.describe()}\nwhat was sent, by field:\n{plan.describe()}\n"
                f"server log:\n{related_log(srv.log_since(offset))}")
        if not healthy:
            raise AssertionError(f"{case.ident}: after the request, {health}\nrequest:\n  {built.describe()}")

    # First the same fixed cases as on every form (odd content types, broken bodies, odd files…),
    # each on its own: a failure does not stop the others, nor the random examples after them.
    fixed_failures: list[str] = []
    for fixed in explicit_plans(case.form):
        shape = crash_shape(fixed)
        if shape is not None and shape in srv.crash_shapes and not REPEAT_CRASHES:
            form_stats.known_crash += 1
            continue
        try:
            send_and_check(fixed)
        except AssertionError as error:
            fixed_failures.append(f"fixed case, {fixed.describe().splitlines()[0].rstrip(':')}:\n{error}")
        if srv.down_since:
            pytest.fail("\n\n".join(fixed_failures))

    crash_plan.clear()  # a fixed case's crash is reported with the fixed cases
    crash_error.clear()
    strategy = query_plans(case.form) if case.form.method == "GET" else plans(case.form, RAW_SHARE)
    fuzz = given(plan=strategy)(check)
    fuzz = settings(
        max_examples=EXAMPLES, deadline=None, database=None, derandomize=False, print_blob=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                               HealthCheck.large_base_example],
        phases=[Phase.generate, Phase.shrink],
    )(fuzz)
    if SEED != "random":
        fuzz = seed(int(SEED))(fuzz)
    budget_end = time.monotonic() + FORM_SECONDS if FORM_SECONDS > 0 else None
    try:
        fuzz()
    except BaseException as error:
        form_stats.failure = "\n\n".join(fixed_failures + [str(error)])[:3000]
        for failure in fixed_failures:
            error.add_note("\nalso, " + failure)
        raise
    if fixed_failures:
        form_stats.failure = "\n\n".join(fixed_failures)[:3000]
        pytest.fail("\n\n".join(fixed_failures), pytrace=False)


def test_server_survived(srv: Server):
    """After all forms: the server is alive, answers /health, and logged no error-level line."""
    healthy, health = srv.healthy()
    problems = []
    if not srv.alive():
        problems.append("the server process is gone")
    if not healthy:
        problems.append(health)
    if srv.crashes:
        problems.append(f"{len(srv.crashes)} crash(es): " + "; ".join(c["form"] for c in srv.crashes))
    errors = [line for line in srv.log_since(0).splitlines() if ERROR_LINE.search(line)]
    if errors:
        problems.append(f"{len(errors)} error line(s) in the server log:\n" + related_log(srv.log_since(0))[-6000:])
    assert not problems, "\n".join(problems)
