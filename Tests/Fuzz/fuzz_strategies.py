"""Hypothesis strategies: what to send to a form.

A drawn `Plan` is symbolic where a value must be fresh at sending time: `Current("csrf")` is the
form's value of that control on the page just fetched (the session's CSRF token, a one-time
submission token), so an example can be replayed (and shrunk) later in the run.
`build(plan, form)` turns a plan into the bytes of one request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote, urlsplit

from hypothesis import strategies as st

from fuzz_client import Control, Form, encode_multipart, quote_header

MAX_TEXT = 20_000
MAX_QUERY = 60_000


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Current:
    """The value of control `name` on the freshly fetched form (empty when it has none)."""
    name: str

    def __repr__(self) -> str:
        return f"<current {self.name}>"


@dataclass(frozen=True)
class FilePart:
    filename: str
    data: bytes
    content_type: str = "application/octet-stream"

    def __repr__(self) -> str:
        data = self.data if len(self.data) <= 48 else self.data[:48] + f"...<{len(self.data)} bytes>".encode()
        return f"FilePart(filename={self.filename!r}, data={data!r}, content_type={self.content_type!r})"


Value = str | Current | FilePart


@dataclass(frozen=True)
class FieldsPlan:
    """Named fields, each sent as `pairs` says (in that order), urlencoded or multipart."""
    pairs: tuple[tuple[str, Value], ...]
    multipart: bool

    def describe(self) -> str:
        encoding = "multipart/form-data" if self.multipart else "application/x-www-form-urlencoded"
        return f"fields ({encoding}):\n" + "\n".join(f"    {name!r} = {short(value)}" for name, value in self.pairs)


@dataclass(frozen=True)
class RawPlan:
    """A body built by hand: `kind` says how (see `raw_body`)."""
    kind: str
    params: tuple = ()
    pairs: tuple[tuple[str, Value], ...] = ()  # the form's own fields, sent around the odd part

    def describe(self) -> str:
        lines = [f"raw body, kind={self.kind}"]
        lines += [f"    {short(p)}" for p in self.params]
        lines += [f"    field {name!r} = {short(value)}" for name, value in self.pairs]
        return "\n".join(lines)


Plan = FieldsPlan | RawPlan


def short(value, limit: int = 300) -> str:
    text = repr(value)
    if len(text) > limit:
        return text[:limit] + f"...<{len(text)} chars in all>"
    return text


# --------------------------------------------------------------------------- values

SPECIAL_STRINGS = [
    "", " ", "\x00", "a\x00b", "\r\n", "\n\n\n", "\t", "\u202e", "\u202egnp.exe", "\u200f\u200e", "\u2066x\u2069",
    "\ufeff", "\ufffd", "\uffff", "\U0001f600", "\U0001f469\u200d\u2764\ufe0f\u200d\U0001f468", "e\u0301\u0301\u0301",
    "\u0645\u0631\u062d\u0628\u0627", "\u4f60\u597d", "ǅ", "ß", "İ", "\u0000\u0001\u001f\u007f\u0080\u009f",
    "null", "None", "undefined", "true", "false", "NaN", "-0", "0", "-1", "1e309", "Infinity", "0x10",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "' OR '1'='1", "'; DROP TABLE cases; --",
    "#(csrf)", "#t(\"x\")", "#extend(\"base\")", "{{7*7}}", "${7*7}", "%s%s%s%n", "%00", "%", "%zz", "+",
    "../../../../etc/passwd", "..\\..\\windows", "/", "//evil.example", "\\\\evil", "javascript:alert(1)",
    "on", "off", "yes", "no", "checked", "[]", "{}", "[object Object]", "a" * 256, "A" * 4097,
]

MALFORMED_NUMBERS = ["", "abc", "1.5", "1,5", "-1", "-0", "0", "00", "+1", " 1", "1 ", "1e3", "1e309", "NaN", "inf",
                     "9" * 40, "-9223372036854775809", "9223372036854775807", "9223372036854775808", "2147483648",
                     "4294967296", "0x1A", "١٢", "１２", "12abc", "--1", "1-", "٣"]
MALFORMED_DATES = ["", "2025-02-30", "2025-13-01", "2025-00-10", "0000-00-00", "0001-01-01", "9999-12-31",
                   "99999-01-01", "-0001-01-01", "2025-1-1", "01-02-2025", "2025/01/02", "20250102", "yesterday",
                   "2025-01-01T25:61:61", "2025-W01", "1970-01-01", "2038-01-19", "1900-02-29", "2024-02-29",
                   "２０２５-０１-０１", "2025-01-01\x00", "2025-01-32"]
MALFORMED_TIMES = ["", "24:00", "25:61", "-1:00", "9", "09:60", "12:00:00.999999", "noon", "1:2:3:4", "99999:00"]
MALFORMED_EMAILS = ["", "@", "a@", "@b", "a@@b", "a@b", "a b@c.d", "a@b..c", "\"a\"@b.c", "a@[127.0.0.1]",
                    "ü@ü.ü", "x" * 300 + "@example.com", "a@" + "b" * 300 + ".com", "a@b.c\r\nBcc: x@y.z",
                    "A@EXAMPLE.COM", "a+b@c.d", ".a@b.c"]
MALFORMED_UUIDS = ["", "0", "not-a-uuid", "00000000-0000-0000-0000-000000000000",
                   "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "{12345678-1234-1234-1234-123456789abc}",
                   "12345678123412341234123456789abc", "12345678-1234-1234-1234-123456789abcd",
                   "12345678-1234-1234-1234-123456789ab", "g2345678-1234-1234-1234-123456789abc",
                   "12345678-1234-1234-1234-123456789abc\x00", " 12345678-1234-1234-1234-123456789abc"]


def texts() -> st.SearchStrategy[str]:
    """Unicode text: control characters, NUL, direction marks, emoji, long and very long strings."""
    weird = st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "So", "Co", "Cn"])
    return st.one_of(
        st.text(max_size=40),
        st.sampled_from(SPECIAL_STRINGS),
        st.text(alphabet=weird, max_size=60),
        st.text(alphabet=st.characters(codec="utf-8"), min_size=100, max_size=2_000),
        st.builds(lambda unit, count: (unit * count)[:MAX_TEXT], st.text(min_size=1, max_size=8),
                  st.integers(min_value=500, max_value=MAX_TEXT)),
        st.builds(lambda a, b: a + b, st.sampled_from(SPECIAL_STRINGS), st.text(max_size=30)),
    )


def uuids() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(MALFORMED_UUIDS), st.uuids().map(str), st.uuids().map(lambda u: str(u).upper()))


def malformed(control: Control) -> st.SearchStrategy[str]:
    """A value of the wrong kind for this control."""
    kind = control.kind
    choices: list[st.SearchStrategy[str]] = [uuids(), st.sampled_from(MALFORMED_NUMBERS)]
    if kind in ("number", "range"):
        choices.insert(0, st.one_of(st.sampled_from(MALFORMED_NUMBERS), st.integers().map(str),
                                    st.floats(allow_nan=True, allow_infinity=True).map(repr)))
    elif kind in ("date", "datetime-local", "month", "week"):
        choices.insert(0, st.sampled_from(MALFORMED_DATES))
    elif kind == "time":
        choices.insert(0, st.sampled_from(MALFORMED_TIMES))
    elif kind == "email":
        choices.insert(0, st.one_of(st.sampled_from(MALFORMED_EMAILS), st.emails()))
    elif kind in ("radio", "select", "checkbox", "submit"):
        # Options that are not offered: near misses first.
        near = [o + suffix for o in control.options[:4] for suffix in ("x", " ", "\x00")] + \
               [o.upper() for o in control.options[:4]] + [o[:-1] for o in control.options[:4] if o]
        choices.insert(0, st.sampled_from(near or ["x"]))
    return st.one_of(*choices)


def plausible(control: Control) -> st.SearchStrategy[str]:
    """What a person might type into an empty control of this kind."""
    today = date.today().isoformat()
    by_kind = {
        "email": st.sampled_from(["iemand@voorbeeld.example", "fuzz@vertrouwd.example"]),
        "number": st.sampled_from(["0", "1", "3", "12", "100"]),
        "date": st.sampled_from([today, "2024-02-29", "2025-01-01"]),
        "time": st.sampled_from(["09:30", "00:00", "23:59"]),
        "password": st.sampled_from(["een heel lang wachtwoord 123", "kort"]),
        "search": st.sampled_from(["pesten", "intimidatie", "a", "het"]),
    }
    if control.kind in by_kind:
        return by_kind[control.kind]
    return st.sampled_from(["Een gewone zin.", "Vergadering van dinsdag", "Jan", "06-12345678", "x"])


# A 1x1 PNG and a minimal JPEG, valid; the file strategies break them in many ways.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
JPEG_MIN = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffe1001845786966000049492a0008000000000000000000"
    "ffdb004300080606070605080707070909080a0c140d0c0b0b0c1912130f141d1a1f1e1d1a1c1c20242e2720"
    "222c231c1c2837292c30313434341f27393d38323c2e333432ffc0000b080001000101011100ffc4001f0000"
    "010501010101010100000000000000000102030405060708090a0bffda0008010100003f00d2cf20ffd9")

FILENAMES = [
    "", "a.txt", "a.png", "a.jpg", "foto.jpeg", "a.pdf", "verslag.docx", "../../etc/passwd", "..\\..\\boot.ini",
    "C:\\Users\\x\\Desktop\\brief.pdf", "/etc/shadow", "a\x00.png", "\u202egnp.exe", "a.PnG", ".png", "...",
    ". .", "con.txt", "a" * 300 + ".txt", "x." + "y" * 200, "\U0001f600.png", "naam met spaties.pdf",
    "a\"b.txt", "a;b=c.txt", "a\r\nContent-Type: text/html.txt", "%00.png", "a.txt.exe", "a.php.png",
    "\u0645\u0644\u0641.pdf", "ünïcödé.jpg", "a" * 5000, "." * 130 + "txt", "b." + "c" * 130 + ".txt",
]


def file_contents() -> st.SearchStrategy[tuple[bytes, str]]:
    """(bytes, content type): valid, empty, mislabelled and malformed images, ZIPs, text with NULs."""
    broken_png = st.builds(
        lambda cut, junk: PNG_1X1[:cut] + junk,
        st.integers(min_value=8, max_value=len(PNG_1X1)), st.binary(max_size=64))
    png_chunk = st.builds(
        lambda length, ctype, data: PNG_1X1[:8] + length.to_bytes(4, "big") + ctype + data,
        st.integers(min_value=0, max_value=2**32 - 1), st.sampled_from([b"IHDR", b"tEXt", b"IEND", b"zzzz", b"\x00\x00\x00\x00"]),
        st.binary(max_size=64))
    broken_jpeg = st.builds(
        lambda cut, junk: JPEG_MIN[:cut] + junk,
        st.integers(min_value=3, max_value=len(JPEG_MIN)), st.binary(max_size=64))
    jpeg_segment = st.builds(
        lambda marker, length, data: b"\xff\xd8\xff" + bytes([marker]) + length.to_bytes(2, "big") + data,
        st.integers(min_value=0, max_value=255), st.integers(min_value=0, max_value=65535), st.binary(max_size=64))
    zip_like = st.sampled_from([
        b"PK\x03\x04" + b"\x00" * 26 + b"[Content_Types].xml",
        b"PK\x03\x04mimetypeapplication/vnd.oasis.opendocument.text",
        b"PK\x03\x04" + b"\xff" * 100,
    ])
    magic = st.sampled_from([b"%PDF-1.7\n%%EOF", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBP", b"RIFF\x00\x00\x00\x00WAVE",
                             b"{\\rtf1}", b"OggS", b"#!AMR", b"ID3", b"\xff\xfb", b"\x00\x00\x00\x18ftypM4A ",
                             b"\x00\x00\x00\x18ftyp", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"MZ\x90\x00", b"\x7fELF"])
    return st.one_of(
        st.tuples(st.sampled_from([PNG_1X1, JPEG_MIN, b"Gewone tekst.\n", b""]), st.sampled_from(
            ["image/png", "image/jpeg", "text/plain", "application/octet-stream"])),
        st.tuples(st.one_of(broken_png, png_chunk), st.just("image/png")),
        st.tuples(st.one_of(broken_jpeg, jpeg_segment), st.just("image/jpeg")),
        st.tuples(st.one_of(zip_like, magic), st.sampled_from(["application/zip", "application/pdf", ""])),
        st.tuples(st.binary(max_size=512), st.sampled_from(["application/octet-stream", "text/plain", "x/y; a=\"b"])),
        st.tuples(st.text(max_size=200).map(lambda t: t.encode("utf-8")), st.just("text/plain")),
        st.tuples(st.integers(min_value=1, max_value=1_500_000).map(lambda n: b"a" * n), st.just("text/plain")),
    )


def filenames() -> st.SearchStrategy[str]:
    """Names a browser (or something posing as one) may send: paths, control characters, direction
    marks, no name, very long names, long or many extensions."""
    extensions = st.sampled_from(["png", "jpg", "txt", "pdf", "docx", "odt", "exe", "zip", "PNG", "", "tar.gz"])
    return st.one_of(
        st.sampled_from(FILENAMES),
        texts().map(lambda t: t[:1000]),
        st.builds(lambda stem, ext: f"{stem}.{ext}", st.text(max_size=200), extensions),
        st.builds(lambda stem, ext: f"{stem}.{ext}", st.text(max_size=20),
                  st.integers(min_value=20, max_value=400).flatmap(lambda n: st.text(min_size=n, max_size=n))),
        st.builds(lambda stem, ext: f"{stem}.{ext}", st.integers(min_value=100, max_value=300).map(lambda n: "n" * n),
                  extensions),
        st.builds(lambda parts: ".".join(parts), st.lists(st.text(max_size=12), min_size=2, max_size=60)),
        st.builds(lambda dirs, name: "/".join(dirs + [name]), st.lists(st.sampled_from(["..", ".", "", "a", "\\"]),
                                                                        max_size=8), st.text(max_size=40)),
    )


def files() -> st.SearchStrategy[FilePart]:
    return st.builds(lambda name, content: FilePart(name, content[0], content[1] or "application/octet-stream"),
                     filenames(), file_contents())


# --------------------------------------------------------------------------- one control

def valid(control: Control) -> st.SearchStrategy[list[Value]]:
    """What a browser could send for this control (values as offered, or the page's own value)."""
    if control.kind == "checkbox":
        return st.lists(st.sampled_from(control.options), max_size=len(control.options), unique=True) \
            if control.options else st.just([])
    if control.kind in ("radio", "submit") or (control.kind == "select" and not control.multiple):
        return st.sampled_from(control.options).map(lambda v: [v]) if control.options else st.just([])
    if control.kind == "select":
        return st.lists(st.sampled_from(control.options), unique=True) if control.options else st.just([])
    if control.kind == "file":
        return st.one_of(st.just([]), st.just([FilePart("", b"", "application/octet-stream")]),
                         st.sampled_from([FilePart("notitie.txt", b"Wat er gebeurde.\n", "text/plain"),
                                          FilePart("foto.png", PNG_1X1, "image/png"),
                                          FilePart("foto.jpg", JPEG_MIN, "image/jpeg")]).map(lambda f: [f]))
    if control.kind == "hidden" or control.value:
        return st.just([Current(control.name)])
    return st.one_of(st.just([Current(control.name)]), plausible(control).map(lambda v: [v]))


def control_values(control: Control) -> st.SearchStrategy[list[Value]]:
    """Values to send under this control's name: none, one, or several; valid, random or malformed."""
    one: st.SearchStrategy[Value]
    if control.kind == "file":
        one = st.one_of(files(), files(), files(), texts())
    else:
        one = st.one_of(texts(), malformed(control))
    return st.one_of(
        valid(control),  # first: examples shrink towards what a browser sends
        one.map(lambda v: [v]),
        st.just([]),  # the field is missing
        st.lists(st.one_of(valid(control).map(lambda vs: vs[0] if vs else ""), one), min_size=2, max_size=4),
    )


def csrf_values() -> st.SearchStrategy[list[Value]]:
    """Mostly the session's token (CSRF itself is another test), sometimes not."""
    token = Current("csrf")
    odd = st.one_of(st.just([]), st.just([""]), st.just([token, token]), st.just([token, "x"]),
                    texts().map(lambda t: [t]))
    return st.integers(min_value=0, max_value=19).flatmap(lambda n: st.just([token]) if n < 18 else odd)


EXTRA_NAMES = ["a[]", "a[b]", "a[][]", "a[b][c]", "a[0]", "a[-1]", "a[99999999999999999999]", "[]", "[", "]", "a[",
               "a]", "a[]]", "a[[]]", "csrf[]", "csrf[x]", "", "=", "&", "%", "\x00", "a b", "\u202e", "\U0001f600",
               "_method", "__proto__", "constructor", "receipt", "id", "role", "organisation", "account", "x" * 3000]


def extra_fields(form: Form) -> st.SearchStrategy[list[tuple[str, Value]]]:
    """Fields the form does not have: unknown names, array-ish names, a form field turned into an array."""
    names = [c.name for c in form.controls if c.name != "csrf"]
    arrayish = [n + "[]" for n in names if not n.endswith("[]")] + [n[:-2] for n in names if n.endswith("[]")] + \
               [n + "[x]" for n in names] + [n + "[0][1]" for n in names]
    name = st.one_of(st.sampled_from(EXTRA_NAMES), st.sampled_from(arrayish or ["a[]"]), st.text(max_size=20))
    some = st.lists(st.tuples(name, st.one_of(texts(), uuids())), min_size=1, max_size=4)
    return st.integers(min_value=0, max_value=9).flatmap(lambda n: some if n >= 6 else st.just([]))


# --------------------------------------------------------------------------- a whole request

def odd_values(control: Control) -> st.SearchStrategy[list[Value]]:
    """Anything but what a browser would send for this control."""
    if control.kind == "file":
        return st.one_of(st.lists(files(), min_size=1, max_size=5), texts().map(lambda t: [t]), st.just([]))
    one = st.one_of(texts(), malformed(control))
    return st.one_of(
        one.map(lambda v: [v]),
        st.just([]),  # the field is missing
        st.lists(st.one_of(valid(control).map(lambda vs: vs[0] if vs else ""), one), min_size=2, max_size=4),
    )


def fields_plans(form: Form) -> st.SearchStrategy[FieldsPlan]:
    """Two ways to fill a form: everything as a browser would send it but one control (so the
    handler gets past its validation of the rest and reaches, say, the file checks), or chaos:
    every control independently valid, random, malformed, missing or repeated."""
    controls = form.controls
    files_ = [c for c in controls if c.kind == "file"]
    others = [c for c in controls if c.name != "csrf" and c.kind != "file"]

    @st.composite
    def plan(draw) -> FieldsPlan:
        mode = draw(st.sampled_from(["one", "chaos"]), label="mode")
        target = None
        if mode == "one" and (files_ or others):
            # Forms with files: the file field is the odd one half of the time.
            pool = st.sampled_from(files_) if files_ and draw(st.booleans(), label="odd file") else \
                st.sampled_from(others or files_)
            target = draw(pool, label="odd control").name
        pairs: list[tuple[str, Value]] = []
        for control in controls:
            if control.name == "csrf":
                values = draw(csrf_values(), label="values for 'csrf'")
            elif mode == "one":
                values = draw(odd_values(control) if control.name == target else valid(control),
                              label=f"values for {control.name!r}")
            else:
                values = draw(control_values(control), label=f"values for {control.name!r}")
            pairs += [(control.name, value) for value in values]
        if mode == "chaos" or draw(st.integers(0, 4), label="extra fields too") == 0:
            pairs += draw(extra_fields(form), label="extra fields")
        if draw(st.booleans(), label="reversed order"):
            pairs.reverse()
        multipart = form.multipart != draw(st.integers(0, 9).map(lambda n: n == 0), label="other encoding")
        return FieldsPlan(tuple(pairs), multipart)

    return plan()


def raw_plans(form: Form) -> st.SearchStrategy[RawPlan]:
    names = [c.name for c in form.controls if c.name != "csrf"] or ["x"]
    file_names = [c.name for c in form.controls if c.kind == "file"] or ["attachments[]", "file", "photo", "backup"]
    base = tuple((c.name, Current(c.name)) for c in form.controls if c.kind in ("hidden",) and c.name != "csrf")
    target = st.sampled_from(names)
    broken = st.lists(st.sampled_from(["%", "%G", "%zz", "%e9", "%C3%28", "%ED%A0%80", "%F4%90%80%80", "%00", "%C0%AF",
                                       "+", "%%", "%2", "%u00e9", "%FF%FE", "&", "=", "==", "&&", ";"]),
                      min_size=1, max_size=6).map("".join)
    bad_bytes = st.sampled_from([b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                                 b"\x80", b"\xe2\x82", b"\x00", b"\xf8\x88\x80\x80\x80"])
    content_types = st.sampled_from([
        "", "text/plain", "application/json", "application/xml", "multipart/form-data",
        "multipart/form-data; boundary=", "multipart/form-data; boundary=nope", "application/x-www-form-urlencoded; charset=utf-16",
        "application/x-www-form-urlencoded; charset=iso-8859-1", "application/x-www-form-urlencoded;;;", "foo",
        "text/html; charset=\"", "application/octet-stream", "*/*", "application/x-www-form-urlencoded, text/plain"])
    json_values = st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts()),
        lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)),
        max_leaves=8)
    kinds = {
        "percent": st.tuples(target, broken, st.booleans()),
        "utf8": st.tuples(target, bad_bytes, st.booleans()),
        "content-type": st.tuples(content_types, st.booleans()),
        "json": st.tuples(st.dictionaries(st.sampled_from(names + ["x", "csrf[]"]), json_values, max_size=4),
                          st.sampled_from(["object", "array", "scalar", "truncated"])),
        "multipart-broken": st.tuples(st.sampled_from([
            "no-final-boundary", "no-disposition", "no-name", "lf-only", "long-header", "boundary-mismatch",
            "empty-parts", "header-only", "nested-multipart", "quoted-boundary", "no-blank-line", "garbage"]), target),
        "many-fields": st.tuples(st.sampled_from(names + ["x", "kinds[]", "a[]"]),
                                 st.sampled_from([100, 1_000, 5_000, 20_000]), st.booleans()),
        "nesting": st.tuples(st.sampled_from(["[a]", "[]", "[0]", "[a][]"]), st.sampled_from([3, 50, 500, 5_000, 50_000]),
                             st.booleans()),
        "no-body": st.tuples(st.sampled_from(["none", "empty", "content-length-0-with-type"])),
        "oversized": st.tuples(st.sampled_from([1_100_000, 2_000_000]), st.booleans()),
        "files": st.tuples(st.sampled_from(file_names), st.lists(files(), min_size=1, max_size=5)),
    }
    return st.sampled_from(sorted(kinds)).flatmap(
        lambda kind: kinds[kind].map(lambda params: RawPlan(kind, params, base)))


def plans(form: Form, raw_share: int = 15) -> st.SearchStrategy[Plan]:
    """Mostly field-by-field plans; about `raw_share` in 100 raw bodies."""
    return st.integers(min_value=0, max_value=99).flatmap(
        lambda n: raw_plans(form) if n < raw_share else fields_plans(form))


def query_plans(form: Form) -> st.SearchStrategy[Plan]:
    """For GET forms: the fields go into the query string."""
    return st.one_of(fields_plans(form).map(lambda p: FieldsPlan(p.pairs, False)),
                     st.tuples(st.sampled_from([c.name for c in form.controls] or ["q"]),
                               st.sampled_from(["%", "%zz", "%C3%28", "%00", "%ED%A0%80", "%FF"]))
                     .map(lambda t: RawPlan("query-percent", t)))


# --------------------------------------------------------------------------- bytes

@dataclass
class Built:
    method: str
    target: str
    body: bytes | None
    content_type: str | None
    headers: list[tuple[str, str]] = field(default_factory=list)

    def describe(self) -> str:
        body = self.body or b""
        shown = body if len(body) <= 600 else body[:600] + f"...<{len(body)} bytes in all>".encode()
        return (f"{self.method} {self.target[:300]}\n  Content-Type: {self.content_type!r}\n"
                f"  Content-Length: {len(body)}\n  body: {shown!r}")


def resolve(value: Value, form: Form) -> str | FilePart:
    if isinstance(value, Current):
        control = form.control(value.name)
        return control.value if control else ""
    return value


def to_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def urlencoded(pairs: list[tuple[str, str]]) -> bytes:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs).encode() if pairs else b""


def build(plan: Plan, form: Form, boundary: str = "----vertrouwdfuzzB0undary") -> Built:
    """The request for `plan` against the freshly fetched `form`."""
    csrf = form.csrf or ""
    if form.method == "GET":
        path = urlsplit(form.action).path
        if isinstance(plan, RawPlan):
            name, broken = plan.params
            return Built("GET", f"{path}?{quote(name, safe='')}=x{broken}y", None, None)
        pairs = [(n, resolve(v, form)) for n, v in plan.pairs]
        query = urlencoded([(n, v.filename if isinstance(v, FilePart) else v) for n, v in pairs]).decode()
        if len(query) > MAX_QUERY:
            # Beyond ~80 KiB of request head SwiftNIO's parser closes the connection (no 431):
            # stay below it, cutting at a whole %XX escape.
            query = query[:MAX_QUERY]
            query = query[:query.rfind("%")] if "%" in query[-2:] else query
        return Built("GET", f"{path}?{query}" if query else path, None, None)

    target = form.action
    if isinstance(plan, FieldsPlan):
        resolved = [(n, resolve(v, form)) for n, v in plan.pairs]
        if plan.multipart:
            texts_ = [(n, v) for n, v in resolved if not isinstance(v, FilePart)]
            files_ = [(n, v.filename, v.data, v.content_type) for n, v in resolved if isinstance(v, FilePart)]
            body, content_type = encode_multipart(texts_, files_, boundary)
            return Built("POST", target, body, content_type)
        flat = [(n, v.filename if isinstance(v, FilePart) else v) for n, v in resolved]
        return Built("POST", target, urlencoded(flat), "application/x-www-form-urlencoded")
    return raw_body(plan, form, csrf, boundary)


def raw_body(plan: RawPlan, form: Form, csrf: str, boundary: str) -> Built:
    kind, p = plan.kind, plan.params
    base = [("csrf", csrf)] + [(n, str(resolve(v, form))) for n, v in plan.pairs]
    form_type = "application/x-www-form-urlencoded"
    target = form.action

    def post(body: bytes | None, content_type: str | None) -> Built:
        return Built("POST", target, body, content_type)

    if kind == "percent":
        name, broken, in_name = p
        extra = f"{quote(name, safe='[]')}{broken}=x" if in_name else f"{quote(name, safe='[]')}=x{broken}y"
        return post(urlencoded(base) + b"&" + extra.encode(), form_type)
    if kind == "utf8":
        name, bad, in_name = p
        extra = (quote(name, safe="[]").encode() + bad + b"=x") if in_name else (quote(name, safe="[]").encode() + b"=x" + bad + b"y")
        return post(urlencoded(base) + b"&" + extra, form_type)
    if kind == "content-type":
        content_type, multipart_body = p
        if multipart_body:
            body, _ = encode_multipart(base + [("x", "y")], [], boundary)
        else:
            body = urlencoded(base + [("x", "y")])
        return post(body, content_type or None)
    if kind == "json":
        fields, shape = p
        data: object = {"csrf": csrf, **fields}
        if shape == "array":
            data = [data]
        elif shape == "scalar":
            data = csrf
        text = json.dumps(data, ensure_ascii=False)
        if shape == "truncated":
            text = text[: max(1, len(text) // 2)]
        return post(text.encode("utf-8", "surrogatepass"), "application/json")
    if kind == "multipart-broken":
        variant, name = p
        b = boundary.encode()
        good = b"".join(b"--" + b + b"\r\nContent-Disposition: form-data; name=\"" + quote_header(k).encode() + b"\"\r\n\r\n"
                        + to_bytes(v) + b"\r\n" for k, v in base)
        field_name = quote_header(name).encode()
        bodies = {
            "no-final-boundary": good + b"--" + b + b"\r\nContent-Disposition: form-data; name=\"" + field_name + b"\"\r\n\r\nx",
            "no-disposition": good + b"--" + b + b"\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + b + b"--\r\n",
            "no-name": good + b"--" + b + b"\r\nContent-Disposition: form-data\r\n\r\nx\r\n--" + b + b"--\r\n",
            "lf-only": good.replace(b"\r\n", b"\n") + b"--" + b + b"--\n",
            "long-header": good + b"--" + b + b"\r\nContent-Disposition: form-data; name=\"" + field_name + b"\"; "
                           + b"x" * 200_000 + b"\r\n\r\nx\r\n--" + b + b"--\r\n",
            "boundary-mismatch": good.replace(b, b"other") + b"--other--\r\n",
            "empty-parts": good + (b"--" + b + b"\r\n\r\n\r\n") * 50 + b"--" + b + b"--\r\n",
            "header-only": good + b"--" + b + b"\r\nContent-Disposition: form-data; name=\"" + field_name + b"\"\r\n",
            "nested-multipart": good + b"--" + b + b"\r\nContent-Disposition: form-data; name=\"" + field_name
                                + b"\"\r\nContent-Type: multipart/mixed; boundary=inner\r\n\r\n--inner\r\n\r\nx\r\n--inner--\r\n--"
                                + b + b"--\r\n",
            "quoted-boundary": good + b"--" + b + b"--\r\n",
            "no-blank-line": good + b"--" + b + b"\r\nContent-Disposition: form-data; name=\"" + field_name
                             + b"\"\r\nx\r\n--" + b + b"--\r\n",
            "garbage": b"\x00\xff" * 64 + good,
        }
        content_type = f"multipart/form-data; boundary=\"{boundary}\"" if variant == "quoted-boundary" \
            else f"multipart/form-data; boundary={boundary}"
        return post(bodies[variant], content_type)
    if kind == "many-fields":
        name, count, distinct = p
        extra = "&".join(f"{quote(name, safe='[]')}{i if distinct else ''}={i}" for i in range(count))
        body = urlencoded(base) + b"&" + extra.encode()
        return post(body[:1_000_000], form_type)
    if kind == "nesting":
        unit, depth, array_value = p
        key = "a" + unit * depth
        body = urlencoded(base) + b"&" + key.encode() + (b"[]" if array_value else b"") + b"=1"
        return post(body[:1_000_000], form_type)
    if kind == "no-body":
        (variant,) = p
        if variant == "none":
            return post(None, None)
        if variant == "empty":
            return post(b"", None)
        return post(b"", form_type)
    if kind == "oversized":
        size, multipart = p
        if multipart:
            body, content_type = encode_multipart(base, [("attachments[]", "groot.txt", b"a" * size, "text/plain")], boundary)
            return post(body, content_type)
        return post(urlencoded(base) + b"&x=" + b"a" * size, form_type)
    if kind == "files":
        name, parts = p
        body, content_type = encode_multipart(base, [(name, f.filename, f.data, f.content_type) for f in parts], boundary)
        return post(body, content_type)
    raise ValueError(kind)



def crash_shape(plan: Plan) -> tuple | None:
    """What makes a request the same kind of request on another form: a raw body's kind and
    parameters, or a form's files. A shape that crashed the server is not sent again (one crash
    and restart per cause, not per form); None for plans without such a shape."""
    if isinstance(plan, RawPlan):
        return ("raw", plan.kind, repr(plan.params))
    files_ = tuple((v.filename, v.data, v.content_type) for _, v in plan.pairs if isinstance(v, FilePart))
    return ("files", files_) if files_ else None


# --------------------------------------------------------------------------- fixed examples

def browser_values(control: Control) -> list[Value]:
    """One plausible browser submission for this control (first option, page value or a plain text)."""
    if control.kind in ("radio", "select", "submit"):
        return [control.checked[0] if control.checked else control.options[0]] if control.options else []
    if control.kind == "checkbox":
        return list(control.checked)
    if control.kind == "file":
        return []
    if control.kind == "hidden" or control.value:
        return [Current(control.name)]
    defaults = {"email": "iemand@voorbeeld.example", "number": "3", "date": date.today().isoformat(),
                "time": "09:30", "password": "een heel lang wachtwoord 123", "search": "pesten"}
    return [defaults.get(control.kind, "Een gewone zin.")]


def browser_plan(form: Form, replace: dict[str, list[Value]] | None = None) -> FieldsPlan:
    pairs: list[tuple[str, Value]] = []
    for control in form.controls:
        values = (replace or {}).get(control.name, browser_values(control))
        pairs += [(control.name, value) for value in values]
    return FieldsPlan(tuple(pairs), form.multipart)


ODD_FILES = [
    [FilePart("verslag." + "x" * 200, b"Wat er gebeurde.\n", "text/plain")],
    [FilePart("../../" + "n" * 300 + ".txt", b"Wat er gebeurde.\n", "text/plain")],
    [FilePart("foto.png", PNG_1X1[:8] + b"\xff\xff\xff\xf0IHDR" + b"\x00" * 16, "image/png"),
     FilePart("foto.jpg", b"\xff\xd8\xff\xe1\xff\xff" + b"\x00" * 8, "image/jpeg")],
    [FilePart("\u202egnp.txt", b"a\x00b", "text/plain"), FilePart("", b"x", ""), FilePart("a.txt", b"", "text/plain"),
     FilePart("b.txt", b"b", "text/plain")],
]


def explicit_plans(form: Form) -> list[Plan]:
    """The same few cases for every form, before the random ones: odd content types (among them an
    empty multipart boundary), a JSON body, broken percent-encoding, invalid UTF-8, a broken
    multipart body, no body, deep nesting, every text at its longest, and on forms with a file
    field a valid form with odd files."""
    names = [c.name for c in form.controls if c.name != "csrf"] or ["x"]
    first = names[0]
    if form.method == "GET":
        return [RawPlan("query-percent", (first, "%zz%C3%28")),
                browser_plan(form, {c.name: ["\u202e\x00" + "\U0001f600" * 4_000] for c in form.controls})]
    base = tuple((c.name, Current(c.name)) for c in form.controls if c.kind == "hidden" and c.name != "csrf")
    plans_: list[Plan] = [
        RawPlan("content-type", ("multipart/form-data; boundary=", False), base),
        RawPlan("content-type", ("multipart/form-data", True), base),
        RawPlan("content-type", ("text/plain", False), base),
        RawPlan("json", ({first: [1, {"a": None}], "x": {"y": [True]}}, "object"), base),
        RawPlan("percent", (first, "%zz%C3%28%", False), base),
        RawPlan("utf8", (first, b"\xff\xfe", False), base),
        RawPlan("multipart-broken", ("no-final-boundary", first), base),
        RawPlan("no-body", ("none",)),
        RawPlan("nesting", ("[a]", 5_000, False), base),
    ]
    long_texts = {c.name: ["\u202e\x00" + "\U0001f600" * (MAX_TEXT // 2)] for c in form.controls
                  if c.kind in ("text", "textarea", "email", "search", "password", "number", "date", "time")}
    if long_texts:
        plans_.append(browser_plan(form, long_texts))
    for control in form.controls:
        if control.kind == "file":
            plans_ += [browser_plan(form, {control.name: list(odd)}) for odd in ODD_FILES]
    return plans_

