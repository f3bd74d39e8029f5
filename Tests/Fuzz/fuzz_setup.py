"""The visitors of the fuzz run and how each gets into its state: demo logins (password + TOTP),
a person with a receipt and an open journal, cases for the counsellor, an activation link.

TOTP as in Tests/Browser/conftest.py: a code is accepted once per 30-second step per account, so
each account logs in once and keeps its cookie session; a second login waits for the next step.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

from fuzz_client import Dropped, PageSource, Visitor, parse_page

ORG = "/o/voorbeeld"
TOTP_STEP = 30


# --------------------------------------------------------------------------- demo accounts and TOTP

def demo_accounts(server_log: str) -> dict[str, list[dict]]:
    """`demo-account role=... email=... password=... totp-secret=...` lines of the demo's output."""
    by_role: dict[str, list[dict]] = {}
    for line in Path(server_log).read_text(errors="replace").splitlines():
        line = re.sub(r"\x1b\[[0-9;]*m", "", line)
        match = re.search(r"demo-account\s+(.*)$", line)
        if match:
            fields = dict(part.split("=", 1) for part in match.group(1).split() if "=" in part)
            by_role.setdefault(fields.get("role", "?"), []).append(fields)
    return by_role


def totp_code(secret: str, for_time: float | None = None) -> str:
    """RFC 6238: HMAC-SHA-1, 6 digits, 30-second step, base32 secret without padding."""
    secret = secret.strip().replace(" ", "").upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if for_time is None else for_time) // TOTP_STEP)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


_last_step_used: dict[str, int] = {}


def fresh_totp(account: dict) -> str:
    """A code whose time step was not used for this account yet, not in the step's last seconds."""
    email = account["email"]
    while True:
        now = time.time()
        step = int(now // TOTP_STEP)
        left = TOTP_STEP - (now % TOTP_STEP)
        if step != _last_step_used.get(email) and left > 4:
            _last_step_used[email] = step
            return totp_code(account["totp-secret"], now)
        time.sleep(left + 0.2)


class SetupError(AssertionError):
    pass


def form_on(visitor: Visitor, target: str, form_id: str | None = None, action_suffix: str | None = None):
    response, final = visitor.get(target)
    if response.status != 200:
        raise SetupError(f"{visitor.name}: GET {target} answered {response.status}")
    parser = parse_page(response.text, final, visitor.base_url)
    for form in parser.forms:
        if form_id and form.form_id != form_id:
            continue
        if action_suffix and not form.action.split("?")[0].endswith(action_suffix):
            continue
        return form, final
    raise SetupError(f"{visitor.name}: no form {form_id or action_suffix!r} on {final}")


def login(visitor: Visitor, account: dict, pending_only: bool = False) -> None:
    """Password, then (unless `pending_only`) a fresh TOTP code; the cookie session is the login."""
    form, _ = form_on(visitor, "/login", action_suffix="/login")
    pairs = [(n, v) for n, v in form.browser_pairs() if n not in ("email", "password")]
    pairs += [("email", account["email"]), ("password", account["password"])]
    response, final = visitor.post(form.action, pairs)
    if not final.startswith("/login/2fa"):
        raise SetupError(f"{visitor.name}: password step for {account['email']} ended on {final} ({response.status})")
    if pending_only:
        return
    form, _ = form_on(visitor, "/login/2fa", action_suffix="/login/2fa")
    pairs = [(n, v) for n, v in form.browser_pairs() if n != "code"] + [("code", fresh_totp(account))]
    response, final = visitor.post(form.action, pairs)
    if final.startswith("/login") or response.status != 200:
        raise SetupError(f"{visitor.name}: TOTP step for {account['email']} ended on {final} ({response.status})")
    visitor.account = account


# --------------------------------------------------------------------------- visitors


@dataclass
class VisitorPlan:
    """A visitor, where its crawl starts, pages only a POST shows, and how to check and restore its state."""
    visitor: Visitor
    starts: list[str]
    entry_pages: list[tuple[PageSource, str]] = field(default_factory=list)
    home: str | None = None  # a page that answers 200 (not a redirect to /login) while the state holds
    notes: list[str] = field(default_factory=list)

    def state_ok(self) -> bool:
        if not self.home:
            return True
        try:
            response, final = self.visitor.get(self.home)
        except Dropped:
            return False
        return response.status == 200 and final.split("?")[0] == self.home.split("?")[0]


def contact(visitor: Visitor, message: str, counsellor_index: int = 0, mode: str = "contact") -> tuple[str, str]:
    """An anonymous contact (or report) through the real form; returns (receipt, receipt page html)."""
    form, page = form_on(visitor, f"{ORG}/{mode}", action_suffix=f"/{mode}")
    control = form.control("counsellor")
    pairs = [(n, v) for n, v in form.browser_pairs() if n not in ("counsellor", "message", "identity", "channel")]
    if control and control.options:
        pairs.append(("counsellor", control.options[min(counsellor_index, len(control.options) - 1)]))
    pairs += [("message", message), ("identity", "anonymous"), ("channel", "messages")]
    for name in ("kind", "subject", "summary"):
        if form.control(name) and form.control(name).kind in ("text", "textarea"):
            pairs = [(n, v) for n, v in pairs if n != name] + [(name, "Een melding voor de fuzz-test")]
    response, final = visitor.post(form.action, pairs, multipart=form.multipart)
    found = re.search(r'id="receipt-code">([0-9A-Z-]+)<', response.text)
    if not found:
        errors = re.findall(r'class="error-message"[^>]*>([^<]*)<', response.text)
        raise SetupError(f"{visitor.name}: {mode} form gave no receipt ({response.status} on {final}; errors: {errors})")
    return found.group(1), response.text


def prepare_anonymous(base_url: str, activation_link: str | None) -> VisitorPlan:
    visitor = Visitor("anonymous", base_url, "198.51.100.10")
    starts = ["/", ORG, f"{ORG}/contact", f"{ORG}/melden", f"{ORG}/inbox", f"{ORG}/logboek", f"{ORG}/wegwijzer",
              "/login", "/backoffice", "/admin", "/management", "/account/password", "/o?code=voorbeeld"]
    if activation_link:
        starts.insert(0, activation_link)
    return VisitorPlan(visitor, starts)


def prepare_person(base_url: str) -> VisitorPlan:
    """A person who contacted a counsellor (holds a receipt: receipt page, inbox) and keeps a journal."""
    visitor = Visitor("person", base_url, "198.51.100.20")
    receipt, receipt_html = contact(visitor, "Mijn leidinggevende schreeuwt tegen mij in vergaderingen.")
    # The receipt page's own forms (download the code, "I kept it"), then the inbox the receipt opens.
    receipt_source = PageSource("POST", f"{ORG}/contact", [], True)
    entry = [(receipt_source, receipt_html)]
    form, _ = form_on(visitor, f"{ORG}/inbox", form_id="inbox-login")
    pairs = [(n, v) for n, v in form.browser_pairs() if n != "receipt"] + [("receipt", receipt)]
    response, final = visitor.post(form.action, pairs)
    if response.status != 200 or "receipt" not in response.text:
        raise SetupError(f"person: the receipt did not open the inbox ({response.status} on {final})")
    entry.append((PageSource("POST", form.action, pairs), response.text))
    # A journal with one entry: the phrase page, then its timeline and entry pages are crawled.
    entry.append(start_journal(visitor))
    try:
        form, _ = form_on(visitor, f"{ORG}/logboek/voorval", action_suffix="/voorval")
        pairs = form.browser_pairs()
        fill = {"title": "Vergadering", "what": "Er werd geschreven", "description": "Er werd geschreven",
                "date": time.strftime("%Y-%m-%d"), "text": "Er werd geschreven"}
        pairs = [(n, fill.get(n, v) if not v else v) for n, v in pairs]
        visitor.post(form.action, pairs, multipart=form.multipart)
    except SetupError as error:
        note = f"no journal entry written: {error}"
    else:
        note = "journal entry written"
    return VisitorPlan(visitor, [f"{ORG}/logboek", f"{ORG}/logboek/tijdlijn", ORG, f"{ORG}/contact"],
                       entry, home=f"{ORG}/logboek/tijdlijn", notes=[f"receipt {receipt}", note])


def start_journal(visitor: Visitor) -> tuple[PageSource, str]:
    """A new journal with a generated key phrase, confirmed as kept; returns the phrase page."""
    form, _ = form_on(visitor, f"{ORG}/logboek", action_suffix="/logboek/nieuw")
    pairs = [(n, v) for n, v in form.browser_pairs() if n != "mode"] + [("mode", "generated")]
    response, final = visitor.post(form.action, pairs)
    phrase_page = response.text
    saved = next((f for f in parse_page(phrase_page, final, visitor.base_url).forms
                  if f.action.endswith("/sleutel-bewaard")), None)
    if saved is None:
        raise SetupError(f"{visitor.name}: no key-phrase page after starting a journal ({response.status} on {final})")
    pairs = [(n, v) for n, v in saved.browser_pairs() if n != "saved"] + [("saved", "on")]
    response, final = visitor.post(saved.action, pairs)
    if "/logboek/tijdlijn" not in final:
        raise SetupError(f"{visitor.name}: confirming the key phrase ended on {final} ({response.status})")
    return PageSource("POST", form.action, pairs), phrase_page


def prepare_staff(name: str, base_url: str, account: dict, home: str, starts: list[str], address: str) -> VisitorPlan:
    visitor = Visitor(name, base_url, address)
    login(visitor, account)
    return VisitorPlan(visitor, starts, home=home)


def make_cases(base_url: str, count: int) -> list[str]:
    """Extra cases for the internal counsellor, each from its own (made-up) client address."""
    receipts = []
    for index in range(count):
        visitor = Visitor(f"reporter-{index}", base_url, f"198.51.100.{40 + index}")
        receipts.append(contact(visitor, f"Zaak {index + 1} voor de fuzz-test: een collega pest mij.")[0])
    try:
        visitor = Visitor("reporter-report", base_url, "198.51.100.60")
        receipts.append(contact(visitor, "Een vermoeden van fraude met declaraties.", mode="melden")[0])
    except SetupError:
        pass  # the organisation may not take formal reports
    return receipts


def edit_link(admin: Visitor, needle: str, kind: str) -> str | None:
    """The /admin/<kind>/<id>/edit link in the overview's table row that mentions `needle`."""
    response, _ = admin.get("/admin")
    for row in re.findall(r"<tr>(.*?)</tr>", response.text, re.S):
        if needle in row:
            found = re.search(rf'href="(/admin/{kind}/[0-9A-Fa-f-]{{36}}/edit)"', row)
            if found:
                return found.group(1)
    return None


def admin_fixtures(admin: Visitor) -> dict[str, str | None]:
    """Things for the admin to edit (so fuzzing the edit forms leaves the demo's own accounts and
    organisation alone): an account, whose one-time activation link goes to the anonymous crawl,
    and an organisation with one article."""
    made: dict[str, str | None] = {"activation": None, "account": None, "organisation": None}
    stamp = int(time.time())
    try:
        form, _ = form_on(admin, "/admin/accounts/new", action_suffix="/admin/accounts")
        email = f"fuzz-{stamp}@vertrouwd.example"
        pairs = [(n, v) for n, v in form.browser_pairs() if n not in ("email", "name")]
        pairs += [("email", email), ("name", "Fuzz Doelwit")]
        response, _ = admin.post(form.action, pairs)
        found = re.search(r'id="activation-link">([^<]+)<', response.text)
        if found:
            made["activation"] = re.sub(r"^https?://[^/]+", "", found.group(1).strip())
        made["account"] = edit_link(admin, email, "accounts")
    except SetupError:
        pass
    try:
        form, _ = form_on(admin, "/admin/organisations/new", action_suffix="/admin/organisations")
        slug = f"fuzz{stamp % 100000}"
        pairs = [(n, v) for n, v in form.browser_pairs() if n not in ("name", "slug")]
        pairs += [("name", "Fuzz Organisatie"), ("slug", slug)]
        admin.post(form.action, pairs)
        made["organisation"] = edit_link(admin, f"/o/{slug}", "organisations")
        if made["organisation"]:
            base = made["organisation"].removesuffix("/edit")
            form, _ = form_on(admin, f"{base}/articles/new", action_suffix="/articles")
            pairs = [(n, v) for n, v in form.browser_pairs() if n not in ("title", "summary", "body")]
            pairs += [("title", "Een artikel"), ("summary", "Kort"), ("body", "Tekst van het artikel.")]
            admin.post(form.action, pairs)
    except SetupError:
        pass
    return made
