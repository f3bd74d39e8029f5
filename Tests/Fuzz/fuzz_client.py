"""HTTP, cookies, HTML forms and the crawl for the form fuzzer (stdlib only).

A `Visitor` is one browser: its own cookie jar and its own (made-up) client address in
X-Forwarded-For. `crawl` walks same-origin links from start pages and collects every <form>.
"""

from __future__ import annotations

import http.client
import re
import socket
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

UUID_RE = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


class Dropped(Exception):
    """The server did not answer: connection refused, reset or closed early, or a time-out."""


# --------------------------------------------------------------------------- HTTP


@dataclass
class Response:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    elapsed: float

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def headers_named(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    @property
    def location(self) -> str | None:
        return self.header("Location")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def is_html(self) -> bool:
        return "text/html" in (self.header("Content-Type") or "")


def raw_request(host: str, port: int, method: str, target: str, headers: list[tuple[str, str]],
                body: bytes | None = None, timeout: float = 60.0) -> Response:
    """One request on a fresh connection. `target` is sent as is (path and query)."""
    started = time.monotonic()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"{host}:{port}")
        for name, value in headers:
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        send_error = None
        if body:
            try:
                conn.send(body)
            except (BrokenPipeError, ConnectionResetError) as error:
                # The server may answer (413) and close before reading a body it refuses.
                send_error = error
        try:
            answer = conn.getresponse()
            data = answer.read()
        except (http.client.HTTPException, OSError) as error:
            raise Dropped(f"{type(error).__name__}: {error}"
                          + (f" (after {type(send_error).__name__} while sending)" if send_error else "")) from error
        return Response(answer.status, answer.reason, list(answer.getheaders()), data, time.monotonic() - started)
    except socket.timeout as error:
        raise Dropped(f"no answer within {timeout:.0f}s") from error
    except (ConnectionError, OSError) as error:
        raise Dropped(f"{type(error).__name__}: {error}") from error
    finally:
        conn.close()


class Visitor:
    """One browser: a cookie jar, a made-up client address, and requests against the app."""

    def __init__(self, name: str, base_url: str, client_address: str, timeout: float = 60.0):
        parts = urlsplit(base_url)
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.client_address = client_address
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.account: dict | None = None  # demo account, for staff visitors

    def __repr__(self) -> str:
        return f"<Visitor {self.name}>"

    def cookie_header(self) -> str | None:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items()) or None

    def remember_cookies(self, response: Response) -> None:
        for line in response.headers_named("Set-Cookie"):
            pair, _, attributes = line.partition(";")
            name, _, value = pair.strip().partition("=")
            attrs = attributes.lower()
            expired = "max-age=0" in attrs.replace(" ", "") or re.search(r"expires=[^;]*19[0-9]{2}", attrs)
            if expired or value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def request(self, method: str, target: str, body: bytes | None = None, content_type: str | None = None,
                extra_headers: list[tuple[str, str]] | None = None, client_address: str | None = None,
                keep_cookies: bool = True) -> Response:
        headers: list[tuple[str, str]] = [
            ("User-Agent", "vertrouwd-form-fuzzer"),
            ("Accept", "text/html,application/xhtml+xml"),
            ("Accept-Language", "nl-NL,nl;q=0.9"),
            ("X-Forwarded-For", client_address or self.client_address),
        ]
        cookie = self.cookie_header()
        if cookie:
            headers.append(("Cookie", cookie))
        if content_type is not None:
            headers.append(("Content-Type", content_type))
        headers += extra_headers or []
        response = raw_request(self.host, self.port, method, target, headers, body, self.timeout)
        if keep_cookies:
            self.remember_cookies(response)
        return response

    def get(self, target: str, follow: bool = True, limit: int = 6) -> tuple[Response, str]:
        """GET, following same-origin redirects; returns the last response and its path."""
        for _ in range(limit):
            response = self.request("GET", target)
            location = response.location
            if not follow or response.status not in (301, 302, 303, 307, 308) or not location:
                return response, target
            next_target = same_origin_target(self.base_url, target, location)
            if next_target is None:
                return response, target
            target = next_target
        return response, target

    def post(self, target: str, pairs: list[tuple[str, str]], multipart: bool = False,
             files: list[tuple[str, str, bytes, str]] | None = None, follow: bool = True) -> tuple[Response, str]:
        if multipart or files:
            body, content_type = encode_multipart(pairs, files or [])
        else:
            body, content_type = urlencode(pairs).encode(), "application/x-www-form-urlencoded"
        response = self.request("POST", target, body, content_type)
        location = response.location
        if follow and response.status in (301, 302, 303) and location:
            next_target = same_origin_target(self.base_url, target, location)
            if next_target:
                return self.get(next_target)
        return response, target


def same_origin_target(base_url: str, current: str, link: str) -> str | None:
    """The path?query of `link` (relative to `current`) when it stays on the app's origin."""
    absolute = urljoin(base_url + current, link)
    parts = urlsplit(absolute)
    base = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
        return None
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def encode_multipart(pairs: list[tuple[str, str]], files: list[tuple[str, str, bytes, str]],
                     boundary: str = "----vertrouwdfuzz7MA4YWxkTrZu0gW") -> tuple[bytes, str]:
    """multipart/form-data as a browser sends it; files are (field, filename, bytes, content type)."""
    chunks: list[bytes] = []
    for name, value in pairs:
        chunks.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{quote_header(name)}\"\r\n\r\n"
                      .encode("utf-8", "surrogatepass"))
        chunks.append(value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value)
        chunks.append(b"\r\n")
    for name, filename, data, content_type in files:
        chunks.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{quote_header(name)}\"; "
                      f"filename=\"{quote_header(filename)}\"\r\nContent-Type: {content_type}\r\n\r\n"
                      .encode("utf-8", "surrogatepass"))
        chunks.append(data)
        chunks.append(b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def quote_header(text: str) -> str:
    """What browsers do with a field or file name in Content-Disposition: escape quotes and line breaks."""
    return text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


# --------------------------------------------------------------------------- HTML


@dataclass
class Control:
    """One named form control, or a group of radios / same-named checkboxes / named buttons."""
    name: str
    kind: str  # text, textarea, hidden, password, email, number, date, ..., radio, checkbox, select, file, submit
    value: str = ""  # the value a browser would send unchanged (default text, selected option)
    options: list[str] = field(default_factory=list)  # radio / checkbox / select / submit values
    checked: list[str] = field(default_factory=list)  # checked radios / checkboxes, selected options
    multiple: bool = False
    maxlength: int | None = None
    required: bool = False


@dataclass
class Form:
    method: str
    action: str  # path?query on the app
    enctype: str
    controls: list[Control]
    form_id: str = ""
    page: str = ""  # where it was found (GET path, or a description of the POST that showed it)

    @property
    def multipart(self) -> bool:
        return self.enctype.lower().startswith("multipart/")

    @property
    def has_files(self) -> bool:
        return any(c.kind == "file" for c in self.controls)

    def control(self, name: str) -> Control | None:
        return next((c for c in self.controls if c.name == name), None)

    @property
    def csrf(self) -> str | None:
        control = self.control("csrf")
        return control.value if control else None

    @property
    def route(self) -> str:
        return normalise_path(urlsplit(self.action).path)

    @property
    def signature(self) -> tuple:
        # Hidden words such as action=saved tell forms apart that post the same fields to one route.
        words = sorted(f"{c.name}={c.value}" for c in self.controls
                       if c.kind == "hidden" and re.fullmatch(r"[a-z][a-z_-]{0,23}", c.value or ""))
        return (self.method, self.route, tuple(sorted({c.name for c in self.controls})), tuple(words))

    def browser_pairs(self, button: str | None = None) -> list[tuple[str, str]]:
        """What a browser sends when the form is submitted unchanged (with the first named button)."""
        pairs: list[tuple[str, str]] = []
        submitted_button = False
        for control in self.controls:
            if control.kind in ("radio", "checkbox", "select"):
                for value in control.checked:
                    pairs.append((control.name, value))
            elif control.kind == "submit":
                if not submitted_button and control.options:
                    pairs.append((control.name, button if button in control.options else control.options[0]))
                    submitted_button = True
            elif control.kind != "file":
                pairs.append((control.name, control.value))
        return pairs


class PageParser(HTMLParser):
    """Links (<a href>) and forms with their named controls."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Control | None = None
        self._select: Control | None = None
        self._option_value: str | None = None
        self._option_text: list[str] = []
        self._option_selected = False
        self.receipt: str | None = None
        self._in_receipt = False

    def _add(self, control: Control) -> None:
        assert self._form is not None
        existing = self._form.control(control.name)
        if existing and existing.kind == control.kind and control.kind in ("radio", "checkbox", "submit"):
            existing.options += control.options
            existing.checked += control.checked
            return
        self._form.controls.append(control)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("id") == "receipt-code":
            self._in_receipt = True
            self.receipt = ""
        if tag == "form":
            self._form = Form(method=(a.get("method") or "get").upper(), action=a.get("action", ""),
                              enctype=a.get("enctype") or "application/x-www-form-urlencoded", controls=[],
                              form_id=a.get("id", ""))
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = a.get("name")
        maxlength = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image", "button", "reset"):
                if kind == "submit":
                    self._add(Control(name, "submit", options=[a.get("value", "")]))
                return
            if kind in ("radio", "checkbox"):
                value = a.get("value", "on")
                self._add(Control(name, kind, options=[value], checked=[value] if "checked" in a else []))
                return
            self._add(Control(name, kind, value=a.get("value", ""), maxlength=maxlength, required="required" in a,
                              multiple="multiple" in a))
        elif tag == "button" and name:
            if (a.get("type") or "submit").lower() == "submit":
                self._add(Control(name, "submit", options=[a.get("value", "")]))
        elif tag == "textarea" and name:
            self._textarea = Control(name, "textarea", maxlength=maxlength, required="required" in a)
            self._add(self._textarea)
        elif tag == "select" and name:
            self._select = Control(name, "select", multiple="multiple" in a, required="required" in a)
            self._add(self._select)
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            self._option_text = []
            self._option_selected = "selected" in a

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        if self._select is not None and self._option_value is None and self._option_text is not None:
            self._option_text.append(data)
        if self._in_receipt and self.receipt is not None:
            self.receipt += data

    def _end_option(self):
        if self._select is not None and (self._option_value is not None or self._option_text):
            value = self._option_value if self._option_value is not None else "".join(self._option_text).strip()
            self._select.options.append(value)
            if self._option_selected:
                self._select.checked.append(value)
        self._option_value = None
        self._option_text = []
        self._option_selected = False

    def handle_endtag(self, tag):
        if self._in_receipt:
            self._in_receipt = False
        if tag == "textarea":
            self._textarea = None
        elif tag == "option":
            self._end_option()
        elif tag == "select":
            self._end_option()
            if self._select is not None and not self._select.checked and self._select.options \
                    and not self._select.multiple:
                self._select.checked = [self._select.options[0]]
            self._select = None
        elif tag == "form":
            self._form = None


def parse_page(html: str, page_target: str, base_url: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    for form in parser.forms:
        action = same_origin_target(base_url, page_target, form.action or page_target)
        form.action = action or form.action
        form.page = page_target
    return parser


def normalise_path(path: str) -> str:
    """A route-like pattern of a path: ids and numbers become placeholders."""
    path = re.sub(r"^/o/[^/]+(?=/)", "/o/{org}", path)
    path = UUID_RE.sub("{id}", path)
    path = re.sub(r"/\d+(?=/|$)", "/{n}", path)
    path = re.sub(r"/activate/[^/]+", "/activate/{token}", path)
    return path


# --------------------------------------------------------------------------- crawl

SKIP_LINK = re.compile(
    r"^/(css|js|img|fonts|favicon)|\.(css|js|svg|png|jpg|ico|woff2?|pdf|json|txt)$|^/lang/|^/logout"
    r"|/(backup|export|pdf|download|afdrukken|print)(/|$|\?)|/bijlagen?/|/attachments?/|\.csv")


@dataclass
class PageSource:
    """How to get a page with a form again: a GET, or a POST (for pages only a POST shows)."""
    method: str
    target: str
    pairs: list[tuple[str, str]] = field(default_factory=list)
    multipart: bool = False

    def describe(self) -> str:
        return f"{self.method} {self.target}"


@dataclass
class FoundForm:
    visitor: str
    form: Form
    sources: list[PageSource] = field(default_factory=list)

    @property
    def ident(self) -> str:
        return f"{self.visitor}:{self.form.method} {self.form.route}"


def crawl(visitor: Visitor, starts: list[str], entry_pages: list[tuple[PageSource, str]], max_depth: int = 3,
          max_pages: int = 150, fanout: int = 16, skip: re.Pattern | None = None) -> tuple[list[FoundForm], list[str]]:
    """Breadth-first over same-origin links from `starts` (and pages shown after a POST, `entry_pages`
    as (source, html)). Returns the distinct forms (by method, route and field names), each with the
    pages it was found on, and the pages visited."""
    found: dict[tuple, FoundForm] = {}
    visited: list[str] = []
    seen: set[str] = set()
    per_pattern: dict[str, int] = {}
    queue: deque[tuple[str, int]] = deque((s, 0) for s in starts)

    def take_forms(parser: PageParser, source: PageSource) -> None:
        for form in parser.forms:
            if not form.action:
                continue
            key = form.signature
            entry = found.get(key)
            if entry is None:
                entry = found[key] = FoundForm(visitor.name, form, [])
            if len(entry.sources) < 6 and source.describe() not in [s.describe() for s in entry.sources]:
                entry.sources.append(source)

    for source, html in entry_pages:
        parser = parse_page(html, source.target, visitor.base_url)
        take_forms(parser, source)
        for link in parser.links:
            target = same_origin_target(visitor.base_url, source.target, link)
            if target:
                queue.append((target, 1))

    while queue and len(visited) < max_pages:
        target, depth = queue.popleft()
        target = target.split("#", 1)[0]
        if not target or target in seen:
            continue
        path = urlsplit(target).path
        if SKIP_LINK.search(path) or (skip and skip.search(target)):
            continue
        query_keys = ",".join(sorted(k for k, _ in parse_qsl(urlsplit(target).query)))
        pattern = normalise_path(path) + "?" + query_keys
        parent = path.rsplit("/", 1)[0] + "/*"
        if per_pattern.get(pattern, 0) >= 2 or per_pattern.get(parent, 0) >= fanout:
            continue
        seen.add(target)
        try:
            response, final = visitor.get(target)
        except Dropped:
            continue
        if final != target:
            if final in seen:
                continue
            seen.add(final)
        per_pattern[pattern] = per_pattern.get(pattern, 0) + 1
        per_pattern[parent] = per_pattern.get(parent, 0) + 1
        if response.status != 200 or not response.is_html:
            continue
        visited.append(final)
        parser = parse_page(response.text, final, visitor.base_url)
        take_forms(parser, PageSource("GET", final))
        if depth >= max_depth:
            continue
        for link in parser.links:
            next_target = same_origin_target(visitor.base_url, final, link)
            if next_target and next_target.split("#", 1)[0] not in seen:
                queue.append((next_target, depth + 1))
        # GET forms lead to pages too (search results, "find your organisation").
        for form in parser.forms:
            if form.method == "GET" and form.action:
                query = urlencode([(n, v or "test") for n, v in form.browser_pairs()])
                queue.append((f"{urlsplit(form.action).path}?{query}", depth + 1))
    return list(found.values()), visited
