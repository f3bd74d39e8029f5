#!/usr/bin/env python3
"""Which feature folders of Sources/App depend on which others, and where they form cycles.

    python3 scripts/dependency-graph.py                 # Markdown section on stdout
    python3 scripts/dependency-graph.py --check         # exit 1 when any folder cycle exists
    python3 scripts/dependency-graph.py --json          # edges with reasons, cycles, ambiguous names
    python3 scripts/dependency-graph.py --write docs/architecture.md
    python3 scripts/dependency-graph.py --verify docs/architecture.md   # exit 1 when the doc is stale
    add --verbose to any of them for the ambiguous names and the timing (on stderr)

Swift has no imports between folders of one module, so the graph has to be read off the code.
This is a heuristic, not a compiler: it only reads tokens. It is meant to be sound in the sense
that every edge it prints comes with the file and identifier that caused it, so a wrong edge can
be seen and argued with. The rules:

Folders. Every direct subfolder of Sources/App is a folder (files deeper down, such as
Migrations/001/, belong to it); the files directly in Sources/App form the folder "(root)".

Lexing. Comments (line, and nested block comments) and string literals (single-line, multi-line
\"\"\", raw #"..."#) are blanked out before anything is scanned, keeping line numbers, so words in
documentation, log messages and template names never count. The code inside a string
interpolation \\( ... ) (or \\#( ... ) in a raw string) is kept, so a type used only inside an
interpolation still counts. Regex literals (#/.../# and a bare /.../ where an expression starts,
as in `firstMatch(of: /name="([^"]*)"/)`) are blanked too, so their quotes open no string.

Declarations. A token walker follows braces to know what scope every token is in; declarations
are recognised at the start of a statement, after modifiers and attributes (so `actor:` as an
argument label is not an actor):
  * a struct/class/enum/protocol/actor/typealias outside any type is a top-level type of its
    file's folder, and so is a top-level func;
  * a type nested in a type or an extension, at any depth, is registered by its qualified name
    Outer.Inner and belongs to the folder of the file that declares it (Outer's folder, or, for a
    type declared in `extension Request` or `extension CasePage` elsewhere, that file's folder);
  * a func/var/let declared in an extension of a type that lives outside the extension's folder
    (a Vapor, Foundation or VertrouwdCore type such as Request, Application, Response, String, or
    an App type of another folder) is an "extension member" of the extension's folder;
  * anything private/fileprivate (or inside a private type or extension), and anything declared
    inside a function body, cannot be seen from another file and is left out.

Uses. Every other identifier is a possible use. A name the using file declares itself is taken
to mean its own declaration. Then:
  * a bare identifier (not after a dot, or after `App.`) naming a top-level type; a top-level
    func only when called, `routes(app)`, since `routes` is also every controller's parameter;
  * Outer.Inner, or a bare Inner inside the body or an extension of Outer, names the nested type;
    Outer alone already names Outer's folder, so Outer.Inner always depends on Outer's folder too;
  * `receiver.member` or `.member` names an extension member (req.audit(...), .file(...),
    CasePage.optionalQuestions), and so does a bare `member` inside an extension (or the body)
    of the extended type, as `notifyPerson(of:)` called from another `extension Request`.
    When the receiver tells its type -- self/Self, the type's own name, or this code base's
    names for a Request or Application value (req, request, app, application) -- only members
    of that type count; otherwise the member is matched by name alone.
Folder A depends on folder B (A != B) when a file in A uses a name declared in B.

Ambiguity. A name declared in more than one folder is ignored (--verbose lists them). Matching
by name alone is stricter: the name is ignored when any other folder declares a member of that
name (property, method or enum case, on any type) or another module under Sources/ does; a name
whose extensions are all on Request or Application does not count on a receiver with another
name (`date.formatted(...)` is Foundation's); and member names shorter than 4 characters
(req.now, req.db) are never used.

Known blind spots. Members of Vapor and Foundation types are not known, so an implicit
`.member` that happens to spell an App extension member of another type counts; uses that
never spell a name (a value whose type is inferred, a conformer using its protocol's extension
members) are not seen; a generic parameter or label that spells an App type's name counts. Each
edge carries its reasons, so such a case can be seen.

Output is sorted and free of line numbers and timestamps in the Markdown, so --verify only fails
when the graph itself changed. Cycles are strongly connected components (Tarjan) of more than one
folder. For each, the output first names a small set of edges whose removal breaks every cycle
in it (a weighted feedback arc set, see suggested_cuts), then lists every edge inside it weakest
first (fewest distinct uses), with the first few file/identifier reasons, since the weakest
edges are the cheapest to break. The Mermaid graph draws the edges inside a cycle thick (==>).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT_FOLDER = "(root)"
START_MARKER = "<!-- dependency-graph:start -->"
END_MARKER = "<!-- dependency-graph:end -->"
SECTION_HEADING = "## Folder dependencies"
MIN_MEMBER_LENGTH = 4
REASONS_SHOWN = 3
EXTERNAL = "(other module)"

TYPE_KEYWORDS = {"struct", "class", "enum", "protocol", "actor"}
MEMBER_KEYWORDS = {"func", "var", "let"}
MODIFIERS = {
    "public", "private", "fileprivate", "internal", "open", "package", "final", "static",
    "override", "mutating", "nonmutating", "nonisolated", "lazy", "weak", "unowned", "indirect",
    "convenience", "required", "dynamic", "optional", "distributed", "consuming", "borrowing",
    "prefix", "postfix", "infix",
}  # fmt: skip
PRIVATE_MODIFIERS = {"private", "fileprivate"}
# Words that can stand before `.member` without being a receiver (`return .download(…)`).
NOT_RECEIVERS = {"return", "case", "in", "try", "await", "throw", "else", "if", "guard", "where", "is", "as", "some", "any"}
# This code base's names for a Request or an Application value (read off the reasons: `req.audit`,
# `request.vertrouwd`, `app.configureDatabase`). A `.member` on one of them can only be a member
# of that type, and an extension member of Request or Application used on any other named
# receiver (`date.formatted(…)`, Foundation's) is not that extension member.
CONVENTIONAL_RECEIVERS = {"req": ("Request",), "request": ("Request",), "app": ("Application",), "application": ("Application",)}


# --------------------------------------------------------------------------------------------
# Lexing: blank out comments and strings, then split into tokens.

_CODE_EVENT = re.compile(r'//|/\*|(#*)"|(#+)/|/|[()]')
# Characters after which a `/` starts an expression (a regex literal) rather than dividing.
_BEFORE_REGEX = set("(,:=[{;!&|?^~<>+-*%\n")
_BLOCK_COMMENT_EVENT = re.compile(r"/\*|\*/")
_NOT_NEWLINE = re.compile(r"[^\n]")
_TOKEN = re.compile(
    r"(?P<nl>\n)"
    r"|(?P<id>`[A-Za-z_][A-Za-z0-9_]*`|[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<num>[0-9][A-Za-z0-9_]*)"
    r"|(?P<sigil>[$#@][A-Za-z0-9_]+)"
    r"|(?P<punct>[^\sA-Za-z0-9_])"
)


def _blank(text: str) -> str:
    """Spaces for everything but newlines, so positions and line numbers stay where they were."""
    return _NOT_NEWLINE.sub(" ", text)


def strip_comments_and_strings(source: str) -> str:
    """The source with comments and string literals blanked and interpolated code kept.

    The result has the same length and the same line breaks as the input."""
    out: list[str] = []
    _scan_code(source, 0, out, in_interpolation=False)
    return "".join(out)


def _scan_code(src: str, pos: int, out: list[str], in_interpolation: bool) -> int:
    """Copies code from pos. Inside an interpolation it stops after the ')' that closes it and
    returns the position after it; at the outer level it runs to the end of the source."""
    depth = 0
    while True:
        match = _CODE_EVENT.search(src, pos)
        if match is None:
            out.append(src[pos:])
            return len(src)
        out.append(src[pos : match.start()])
        event = match.group(0)
        if event == "(":
            depth += 1
            out.append(event)
            pos = match.end()
        elif event == ")":
            out.append(event)
            pos = match.end()
            if in_interpolation and depth == 0:
                return pos
            depth = max(depth - 1, 0)
        elif event == "//":
            end = src.find("\n", match.start())
            end = len(src) if end < 0 else end
            out.append(_blank(src[match.start() : end]))
            pos = end
        elif event == "/*":
            end = _block_comment_end(src, match.start())
            out.append(_blank(src[match.start() : end]))
            pos = end
        elif match.group(2) is not None:  # #/ extended regex /#, may span lines
            closing = "/" + match.group(2)
            end = src.find(closing, match.end())
            end = len(src) if end < 0 else end + len(closing)
            out.append(_blank(src[match.start() : end]))
            pos = end
        elif event == "/":
            end = _bare_regex_end(src, match.start())
            out.append("/" if end is None else _blank(src[match.start() : end]))
            pos = match.end() if end is None else end
        else:
            pos = _scan_string(src, match.start(), len(match.group(1)), out)


def _bare_regex_end(src: str, start: int) -> int | None:
    """The end of a /regex/ literal starting at start, or None when this `/` divides.

    Like Swift: a regex literal stands where an expression starts (after `(`, `,`, `:`, `=`,
    an operator or a line break), does not start with a space, and closes on the same line."""
    if src[start + 1 : start + 2] in ("", " ", "\t", "\n", "="):
        return None
    before = start - 1
    while before >= 0 and src[before] in " \t":
        before -= 1
    if before >= 0 and src[before] not in _BEFORE_REGEX:
        return None
    i = start + 1
    while i < len(src) and src[i] != "\n":
        if src[i] == "\\":
            i += 2
            continue
        if src[i] == "/":
            return i + 1
        i += 1
    return None


def _block_comment_end(src: str, start: int) -> int:
    """The position after the */ closing the comment at start (Swift block comments nest)."""
    depth = 0
    for match in _BLOCK_COMMENT_EVENT.finditer(src, start):
        depth += 1 if match.group(0) == "/*" else -1
        if depth == 0:
            return match.end()
    return len(src)


def _scan_string(src: str, start: int, hashes: int, out: list[str]) -> int:
    """Blanks the string literal opening at start (after `hashes` #s) and returns the position
    after it; interpolations \\( ... ) are handed back to _scan_code so their code is kept."""
    quote_at = start + hashes
    multi_line = src.startswith('"""', quote_at)
    opening_end = quote_at + (3 if multi_line else 1)
    closing = ('"""' if multi_line else '"') + "#" * hashes
    escape = "\\" + "#" * hashes
    out.append(_blank(src[start:opening_end]))
    pos = opening_end
    while True:
        escape_at = src.find(escape, pos)
        closing_at = src.find(closing, pos)
        if closing_at < 0 and escape_at < 0:
            out.append(_blank(src[pos:]))
            return len(src)
        if escape_at >= 0 and (closing_at < 0 or escape_at < closing_at):
            out.append(_blank(src[pos:escape_at]))
            after = escape_at + len(escape)
            if src.startswith("(", after):
                out.append(" " * len(escape) + "(")
                pos = _scan_code(src, after + 1, out, in_interpolation=True)
            else:  # \n, \", \\, \u{...}: the escape and the character after it are text
                out.append(_blank(src[escape_at : after + 1]))
                pos = after + 1
        else:
            end = closing_at + len(closing)
            out.append(_blank(src[pos:end]))
            return end


@dataclass(frozen=True)
class Token:
    kind: str  # nl, id, num, sigil, punct
    text: str
    line: int


def tokenize(code: str) -> list[Token]:
    """Tokens of comment- and string-free code; backticks are dropped from `escaped` names."""
    tokens: list[Token] = []
    line = 1
    for match in _TOKEN.finditer(code):
        kind = match.lastgroup or "punct"
        text = match.group(0)
        if kind == "nl":
            tokens.append(Token(kind, text, line))
            line += 1
            continue
        if kind == "id":
            text = text.strip("`")
        tokens.append(Token(kind, text, line))
    return tokens


# --------------------------------------------------------------------------------------------
# Scanning one file: what it declares and which names it uses, with the scope of each.


@dataclass(frozen=True)
class Scope:
    kind: str  # "type", "ext" or "code"
    path: tuple[str, ...] = ()  # qualified name of the type or the extended type
    private: bool = False
    keyword: str = ""  # struct, enum, … for types


CODE_SCOPE = Scope("code")


@dataclass
class Member:
    owner: tuple[str, ...]  # qualified name of the type or extended type
    name: str
    in_extension: bool
    line: int


@dataclass
class Use:
    name: str
    line: int
    after_dot: bool
    prefix: tuple[str, ...]  # the dotted chain before `.name`, () when none (or a call result)
    scope_path: tuple[str, ...]  # innermost enclosing type or extended type
    next_member: str = ""  # the `.member` right after the name, for readable reasons
    called: bool = False  # followed by `(`


@dataclass
class FileFacts:
    path: str  # relative to Sources/App
    folder: str
    top_level: dict[str, int] = field(default_factory=dict)  # visible top-level types → line
    functions: dict[str, int] = field(default_factory=dict)  # visible top-level funcs → line
    nested: dict[tuple[str, ...], int] = field(default_factory=dict)  # visible Outer.Inner → line
    members: list[Member] = field(default_factory=list)  # visible members of types/extensions
    own_names: set[str] = field(default_factory=set)  # everything it declares, private too
    own_members: set[tuple[tuple[str, ...], str]] = field(default_factory=set)  # (owner, name), private too
    uses: list[Use] = field(default_factory=list)


class _Walker:
    """One pass over a file's tokens, keeping a stack of brace scopes.

    A declaration keyword only counts at the start of a statement (after a newline, brace or
    semicolon, then any modifiers and attributes), so `actor:` as an argument label or
    `.class` as a member is not mistaken for one."""

    def __init__(self, tokens: list[Token], facts: FileFacts):
        self.tokens = tokens
        self.facts = facts
        self.stack: list[Scope] = []
        self.pending: Scope | None = None  # the scope the next `{` opens
        self.at_start = True
        self.modifiers: set[str] = set()
        self.declared_at: set[int] = set()  # token indices that are names being declared

    def run(self) -> None:
        i = 0
        while i < len(self.tokens):
            i = self._step(i)

    # -- helpers

    def _tok(self, i: int) -> Token | None:
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def _is(self, i: int, kind: str, text: str | None = None) -> bool:
        tok = self._tok(i)
        return tok is not None and tok.kind == kind and (text is None or tok.text == text)

    def _skip_parens(self, i: int) -> int:
        """Index after the balanced ( ... ) starting at i; identifiers inside still count as uses."""
        depth = 0
        while i < len(self.tokens):
            tok = self.tokens[i]
            if tok.kind == "punct" and tok.text == "(":
                depth += 1
            elif tok.kind == "punct" and tok.text == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif tok.kind == "id":
                self._record_use(i)
            i += 1
        return i

    def _in_code(self) -> bool:
        return any(scope.kind == "code" for scope in self.stack)

    def _owner(self) -> Scope | None:
        if self.stack and self.stack[-1].kind in ("type", "ext"):
            return self.stack[-1]
        return None

    def _scope_path(self) -> tuple[str, ...]:
        for scope in reversed(self.stack):
            if scope.kind in ("type", "ext"):
                return scope.path
        return ()

    def _is_private(self) -> bool:
        return bool(self.modifiers & PRIVATE_MODIFIERS) or any(s.private for s in self.stack)

    # -- the walk

    def _step(self, i: int) -> int:
        tok = self.tokens[i]
        if tok.kind == "nl" or (tok.kind == "punct" and tok.text in "{};"):
            self._structure(tok)
            return i + 1
        if self.at_start:
            handled = self._statement_start(i)
            if handled is not None:
                return handled
        self.at_start = False
        if tok.kind == "id" and i not in self.declared_at:
            self._record_use(i)
        elif tok.kind == "sigil" and tok.text[0] == "@":  # a property wrapper or macro: @Name
            self._record_use(i, name=tok.text[1:])
        return i + 1

    def _structure(self, tok: Token) -> None:
        if tok.text == "{":
            self.stack.append(self.pending or CODE_SCOPE)
            self.pending = None
        elif tok.text == "}":
            if self.stack:
                self.stack.pop()
            self.pending = None
        self.at_start = True
        self.modifiers = set()

    def _statement_start(self, i: int) -> int | None:
        """Handles modifiers, attributes and declarations; None when the token is ordinary."""
        tok = self.tokens[i]
        nxt = self._tok(i + 1)
        if tok.kind == "sigil" and tok.text[0] == "@":
            self._record_use(i, name=tok.text[1:])
            return self._skip_parens(i + 1) if self._is(i + 1, "punct", "(") else i + 1
        if tok.kind != "id":
            return None
        word = tok.text
        is_class_modifier = word == "class" and nxt is not None and nxt.text in MEMBER_KEYWORDS | MODIFIERS | {"subscript", "init"}
        if word in MODIFIERS or is_class_modifier:
            self.modifiers.add(word)
            if self._is(i + 1, "punct", "(") and self._is(i + 3, "punct", ")"):  # private(set)
                return i + 4
            return i + 1
        names_next = nxt is not None and nxt.kind == "id" and nxt.text != "in"  # not `{ actor in`
        if word in TYPE_KEYWORDS | {"typealias"} and names_next:
            self._declare_type(i, word)
        elif word == "extension":
            self._declare_extension(i)
        elif word in MEMBER_KEYWORDS and names_next:
            self._declare_member(i)
        elif word in ("init", "subscript", "deinit"):
            self.pending = None
        elif word == "case":
            self._declare_enum_cases(i)
        else:
            return None
        self.at_start = False
        return i + 1

    def _declare_type(self, i: int, keyword: str) -> None:
        name = self.tokens[i + 1].text
        self.declared_at.add(i + 1)
        self.facts.own_names.add(name)
        private = self._is_private()
        if self._in_code():
            path: tuple[str, ...] = (name,)  # a local type: invisible elsewhere
        else:
            path = self._scope_path() + (name,)
            if not private:
                if len(path) == 1:
                    self.facts.top_level.setdefault(name, self.tokens[i].line)
                else:
                    self.facts.nested.setdefault(path, self.tokens[i].line)
        if keyword != "typealias":
            self.pending = Scope("type", path, private or self._in_code(), keyword)

    def _declare_extension(self, i: int) -> None:
        """`extension Outer.Inner where …` — the extended type's names stay uses (an extension of
        another folder's type depends on it)."""
        path: list[str] = []
        j = i + 1
        while self._is(j, "id"):
            path.append(self.tokens[j].text)
            if not (self._is(j + 1, "punct", ".") and self._is(j + 2, "id")):
                break
            j += 2
        if not path:
            return
        self.pending = Scope("ext", tuple(path), self._is_private())

    def _declare_member(self, i: int) -> None:
        name = self.tokens[i + 1].text
        self.pending = None
        if self._in_code():
            return  # a local variable or function
        self.declared_at.add(i + 1)
        self.facts.own_names.add(name)
        owner = self._owner()
        if owner is not None:
            self.facts.own_members.add((owner.path, name))
        if self._is_private():
            return
        if owner is None:
            if self.tokens[i].text == "func":  # a top-level let/var would clash with every local of its name
                self.facts.functions.setdefault(name, self.tokens[i].line)
        else:
            self.facts.members.append(Member(owner.path, name, owner.kind == "ext", self.tokens[i].line))

    def _declare_enum_cases(self, i: int) -> None:
        """`case a, b(Int), c = 1` directly in an enum: members, for the ambiguity check."""
        owner = self._owner()
        if owner is None or owner.keyword != "enum" or self._is_private():
            return
        j, depth, expect_name = i + 1, 0, True
        while j < len(self.tokens) and self.tokens[j].kind != "nl":
            tok = self.tokens[j]
            if tok.kind == "punct" and tok.text in "([":
                depth += 1
            elif tok.kind == "punct" and tok.text in ")]":
                depth -= 1
            elif tok.kind == "punct" and tok.text == "," and depth == 0:
                expect_name = True
            elif tok.kind == "id" and expect_name and depth == 0:
                self.facts.members.append(Member(owner.path, tok.text, False, tok.line))
                self.facts.own_names.add(tok.text)
                self.declared_at.add(j)
                expect_name = False
            j += 1

    def _record_use(self, i: int, name: str | None = None) -> None:
        tok = self.tokens[i]
        after_dot = self._is(i - 1, "punct", ".") and name is None
        prefix = self._prefix_chain(i - 1) if after_dot else ()
        next_member = self.tokens[i + 2].text if self._is(i + 1, "punct", ".") and self._is(i + 2, "id") else ""
        called = self._is(i + 1, "punct", "(")
        self.facts.uses.append(Use(name or tok.text, tok.line, after_dot, prefix, self._scope_path(), next_member, called))

    def _prefix_chain(self, dot: int) -> tuple[str, ...]:
        """The identifiers of `a.b?.c` before the dot at index dot; () for `.x` or `f().x`."""
        chain: list[str] = []
        j = dot - 1
        while True:
            while self._is(j, "punct", "?") or self._is(j, "punct", "!"):
                j -= 1
            if not self._is(j, "id") or self.tokens[j].text in NOT_RECEIVERS:
                break
            chain.append(self.tokens[j].text)
            if not self._is(j - 1, "punct", "."):
                break
            j -= 2
        return tuple(reversed(chain))


def scan_file(source: str, path: str, folder: str) -> FileFacts:
    """Declarations and uses of one Swift file."""
    facts = FileFacts(path, folder)
    _Walker(tokenize(strip_comments_and_strings(source)), facts).run()
    return facts


# --------------------------------------------------------------------------------------------
# The index of all declarations, and turning uses into edges.


def folder_of(relative: Path) -> str:
    return relative.parts[0] if len(relative.parts) > 1 else ROOT_FOLDER


def scan_tree(app_dir: Path) -> list[FileFacts]:
    """Every Swift file under Sources/App, in path order."""
    files = []
    for path in sorted(app_dir.rglob("*.swift")):
        relative = path.relative_to(app_dir)
        files.append(scan_file(path.read_text(encoding="utf-8"), relative.as_posix(), folder_of(relative)))
    return files


def external_member_names(app_dir: Path) -> set[str]:
    """Member names declared by the other modules under Sources/ (VertrouwdCore and the
    executables): an App extension member of the same name cannot be told apart from them."""
    names: set[str] = set()
    for module in sorted(p for p in app_dir.parent.iterdir() if p.is_dir() and p != app_dir):
        for path in sorted(module.rglob("*.swift")):
            facts = scan_file(path.read_text(encoding="utf-8"), path.name, EXTERNAL)
            names.update(member.name for member in facts.members)
    return names


@dataclass
class Index:
    """Every visible declaration, resolved to the one folder that declares it."""

    top_level: dict[str, str] = field(default_factory=dict)  # type name → folder
    functions: dict[str, str] = field(default_factory=dict)  # top-level func → folder
    nested: dict[tuple[str, ...], str] = field(default_factory=dict)  # Outer.Inner → folder
    ext_members: dict[str, str] = field(default_factory=dict)  # member name → folder (any receiver)
    ext_by_owner: dict[tuple[tuple[str, ...], str], str] = field(default_factory=dict)  # (Request, audit) → folder
    ext_owners: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)  # member name → extended types
    owners: set[tuple[str, ...]] = field(default_factory=set)  # every extended type with members
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # label → folders, for --verbose/--json


def build_index(files: list[FileFacts], external_members: set[str]) -> Index:
    """Resolves every declared name to one folder, dropping (and reporting) names that have several."""
    top, functions, nested = defaultdict(set), defaultdict(set), defaultdict(set)
    for facts in files:
        for name in facts.top_level:
            top[name].add(facts.folder)
        for name in facts.functions:
            functions[name].add(facts.folder)
        for path in facts.nested:
            nested[path].add(facts.folder)

    by_name, by_owner, other = defaultdict(set), defaultdict(set), defaultdict(set)
    for facts in files:
        for member in facts.members:
            if _is_extension_member(member, facts.folder, top):
                by_name[member.name].add(facts.folder)
                by_owner[(member.owner, member.name)].add(facts.folder)
            else:
                other[member.name].add(facts.folder)

    index = Index()
    for name, folders in top.items():
        _keep_or_report(index, index.top_level, name, folders, f"type {name}")
    for name, folders in functions.items():
        _keep_or_report(index, index.functions, name, folders, f"function {name}")
    for path, folders in nested.items():
        _keep_or_report(index, index.nested, path, folders, "type " + ".".join(path))
    for (owner, name), folders in by_owner.items():
        index.owners.add(owner)
        index.ext_owners.setdefault(name, set()).add(owner)
        if len(name) >= MIN_MEMBER_LENGTH:
            _keep_or_report(index, index.ext_by_owner, (owner, name), folders, f"member {'.'.join(owner)}.{name}")
    for name, folders in by_name.items():
        if len(name) >= MIN_MEMBER_LENGTH:
            clashes = folders | other.get(name, set()) | ({EXTERNAL} if name in external_members else set())
            _keep_or_report(index, index.ext_members, name, clashes, f"member .{name} (receiver unknown)")
    return index


def _is_extension_member(member: Member, folder: str, type_folders: dict[str, set[str]]) -> bool:
    """A member of an extension of a type this folder does not declare (Request, String, or an
    App type of another folder): its uses do not spell its folder's names, so it needs its own rule."""
    return member.in_extension and type_folders.get(member.owner[0], set()) != {folder}


def _keep_or_report(index: Index, target: dict, key, folders: set[str], label: str) -> None:
    if len(folders) == 1:
        target[key] = next(iter(folders))
    else:
        index.ambiguous[label] = sorted(folders, key=folder_sort_key)


@dataclass(frozen=True, order=True)
class Reason:
    file: str
    line: int
    identifier: str


def resolve(use: Use, facts: FileFacts, index: Index) -> tuple[str, str] | None:
    """(folder, readable identifier) that a use in facts' file depends on, or None."""
    if not use.after_dot or use.prefix == ("App",):
        return _resolve_bare(use, facts, index)
    if use.prefix:
        folder = index.nested.get(use.prefix + (use.name,))
        if folder:
            return folder, ".".join(use.prefix + (use.name,))
    return _resolve_member(use, facts, index)


def _resolve_bare(use: Use, facts: FileFacts, index: Index) -> tuple[str, str] | None:
    """A name without a receiver: the file's own declaration, a nested type of an enclosing type,
    a top-level type, a called top-level function, or an extension member of the enclosing type."""
    name = use.name
    if name in facts.own_names:
        return None
    for k in range(len(use.scope_path), 0, -1):  # Inner inside Outer or an extension of Outer
        folder = index.nested.get(use.scope_path[:k] + (name,))
        if folder:
            return folder, ".".join(use.scope_path[:k] + (name,))
    if name in index.top_level:
        return index.top_level[name], f"{name}.{use.next_member}" if use.next_member else name
    if name in index.functions and use.called:
        return index.functions[name], f"{name}()"
    for k in range(len(use.scope_path), 0, -1):  # notifyPerson(of:) inside another extension Request
        folder = index.ext_by_owner.get((use.scope_path[:k], name))
        if folder:
            return folder, name
    return None


def _resolve_member(use: Use, facts: FileFacts, index: Index) -> tuple[str, str] | None:
    """`receiver.name` or `.name`: an extension member, looked up on the receiver's type when the
    receiver tells it (req, app, self, Request, CasePage), by its name alone otherwise."""
    name = use.name
    shown = f"{use.prefix[-1]}.{name}" if use.prefix else f".{name}"
    owner = _receiver_type(use, index)
    if owner is not None:
        if (owner, name) in facts.own_members:
            return None
        folder = index.ext_by_owner.get((owner, name))
        return (folder, shown) if folder else None
    if name in facts.own_names or name not in index.ext_members:
        return None
    conventional = set(CONVENTIONAL_RECEIVERS.values())
    if use.prefix and index.ext_owners.get(name, set()) <= conventional:
        return None  # date.formatted(…): a Request member is not called on something named `date`
    return index.ext_members[name], shown


def _receiver_type(use: Use, index: Index) -> tuple[str, ...] | None:
    """The type a `.member`'s receiver names, when it can be told from its spelling alone."""
    if not use.prefix:
        return None
    if use.prefix[-1] in ("self", "Self"):
        return use.scope_path or None
    if use.prefix in index.owners:
        return use.prefix
    return CONVENTIONAL_RECEIVERS.get(use.prefix[-1]) if len(use.prefix) == 1 else None


@dataclass
class Graph:
    folders: list[str]
    edges: dict[tuple[str, str], list[Reason]]
    cycles: list[list[str]]
    ambiguous: dict[str, list[str]]

    def in_cycle(self, edge: tuple[str, str]) -> bool:
        return any(edge[0] in cycle and edge[1] in cycle for cycle in self.cycles)


def build_graph(app_dir: Path) -> Graph:
    files = scan_tree(app_dir)
    index = build_index(files, external_member_names(app_dir))
    found: dict[tuple[str, str], dict[tuple[str, str], Reason]] = defaultdict(dict)
    for facts in files:
        for use in facts.uses:
            resolved = resolve(use, facts, index)
            if resolved is None or resolved[0] == facts.folder:
                continue
            reasons = found[(facts.folder, resolved[0])]
            key = (facts.path, resolved[1])
            if key not in reasons or use.line < reasons[key].line:
                reasons[key] = Reason(facts.path, use.line, resolved[1])
    folders = sorted({facts.folder for facts in files} | _subfolders(app_dir), key=folder_sort_key)
    edges = {edge: sorted(reasons.values()) for edge, reasons in sorted(found.items())}
    return Graph(folders, edges, strongly_connected_components(folders, edges), index.ambiguous)


def _subfolders(app_dir: Path) -> set[str]:
    return {p.name for p in app_dir.iterdir() if p.is_dir()}


def folder_sort_key(folder: str) -> tuple[bool, str, str]:
    """(root) first, then case-insensitive, so API sits between Admin and Audit."""
    return (folder != ROOT_FOLDER, folder.lower(), folder)


# --------------------------------------------------------------------------------------------
# Cycles.


def strongly_connected_components(nodes: list[str], edges) -> list[list[str]]:
    """Tarjan's algorithm; only the components of more than one node, each sorted, in order."""
    successors: dict[str, list[str]] = defaultdict(list)
    for source, target in sorted(edges):
        successors[source].append(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in successors[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component, key=folder_sort_key))

    for node in sorted(set(nodes) | {n for edge in edges for n in edge}, key=folder_sort_key):
        if node not in index:
            visit(node)
    return sorted(components, key=lambda c: [folder_sort_key(f) for f in c])


def cycle_edges(graph: Graph, cycle: list[str]) -> list[tuple[str, str]]:
    """The edges inside one cycle, weakest (fewest distinct uses) first: the cheapest to break."""
    inside = [edge for edge in graph.edges if edge[0] in cycle and edge[1] in cycle]
    return sorted(inside, key=lambda e: _edge_key(graph, e))


def _edge_key(graph: Graph, edge: tuple[str, str]) -> tuple:
    return (len(graph.edges[edge]), folder_sort_key(edge[0]), folder_sort_key(edge[1]))


def suggested_cuts(graph: Graph, cycle: list[str]) -> list[tuple[str, str]]:
    """Edges inside the cycle whose removal leaves it without any cycle, chosen to need as few
    changed uses as possible: a weighted feedback arc set, weakest first.

    Finding the smallest such set is NP-hard, so this orders the folders greedily (Eades, Lin and
    Smyth), moves single folders while that lowers the weight of the edges pointing backwards,
    and then puts back any backward edge that closes no cycle. Deterministic, not always optimal."""
    weight = {edge: len(graph.edges[edge]) for edge in cycle_edges(graph, cycle)}
    order = _improve_order(_greedy_order(cycle, weight), weight)
    position = {folder: i for i, folder in enumerate(order)}
    cuts = [edge for edge in weight if position[edge[0]] > position[edge[1]]]
    return sorted(_without_needless_cuts(cuts, weight), key=lambda e: _edge_key(graph, e))


def _greedy_order(nodes: list[str], weight: dict[tuple[str, str], int]) -> list[str]:
    """Eades–Lin–Smyth: sinks go last, sources first, otherwise the folder that most uses others
    rather than being used goes first."""
    remaining = sorted(nodes, key=folder_sort_key)
    first: list[str] = []
    last: list[str] = []

    def flow(node: str, outgoing: bool) -> int:
        return sum(w for (a, b), w in weight.items() if (a if outgoing else b) == node and (b if outgoing else a) in remaining)

    while remaining:
        sink = next((n for n in remaining if flow(n, outgoing=True) == 0), None)
        source = next((n for n in remaining if flow(n, outgoing=False) == 0), None)
        if sink is not None:
            last.insert(0, sink)
            remaining.remove(sink)
        elif source is not None:
            first.append(source)
            remaining.remove(source)
        else:
            best = max(remaining, key=lambda n: (flow(n, True) - flow(n, False), [-ord(c) for c in n.lower()]))
            first.append(best)
            remaining.remove(best)
    return first + last


def _backward_weight(order: list[str], weight: dict[tuple[str, str], int]) -> int:
    position = {folder: i for i, folder in enumerate(order)}
    return sum(w for (a, b), w in weight.items() if position[a] > position[b])


def _improve_order(order: list[str], weight: dict[tuple[str, str], int]) -> list[str]:
    """Moves one folder at a time to the place where the fewest uses point backwards, until no
    single move helps."""
    best_cost = _backward_weight(order, weight)
    improved = True
    while improved:
        improved = False
        for node in list(order):
            rest = [n for n in order if n != node]
            for i in range(len(rest) + 1):
                candidate = rest[:i] + [node] + rest[i:]
                cost = _backward_weight(candidate, weight)
                if cost < best_cost:
                    order, best_cost, improved = candidate, cost, True
    return order


def _without_needless_cuts(cuts: list[tuple[str, str]], weight: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    """Puts cut edges back, heaviest first, as long as putting one back closes no cycle."""
    kept = {edge for edge in weight if edge not in cuts}
    still_cut = []
    for edge in sorted(cuts, key=lambda e: (-weight[e], e)):
        if _reaches(kept, edge[1], edge[0]):
            still_cut.append(edge)
        else:
            kept.add(edge)
    return still_cut


def _reaches(edges: set[tuple[str, str]], start: str, goal: str) -> bool:
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        for a, b in edges:
            if a == node and b not in seen:
                seen.add(b)
                todo.append(b)
    return False


# --------------------------------------------------------------------------------------------
# Output.


def render_markdown(graph: Graph) -> str:
    lines = [
        "<!-- Generated by scripts/dependency-graph.py; update with"
        " `python3 scripts/dependency-graph.py --write docs/architecture.md`. -->",
        "",
        "Which folder of `Sources/App` uses a name (type, or member of an extension on a Vapor type)"
        " declared in another, read off the code by `scripts/dependency-graph.py` (its docstring has"
        " the rules). `(root)` is the files directly in `Sources/App`.",
        "",
        "Folder → depends on:",
        "",
    ]
    for folder in graph.folders:
        targets = [t for (s, t) in graph.edges if s == folder]
        shown = ", ".join(sorted(targets, key=folder_sort_key)) if targets else "(nothing)"
        lines.append(f"- {folder} → {shown}")
    lines += ["", *render_cycles(graph)]
    return "\n".join(lines) + "\n"


def render_cycles(graph: Graph) -> list[str]:
    lines = ["Cycles:", ""]
    if not graph.cycles:
        return lines + ["- none"]
    for cycle in graph.cycles:
        cuts = suggested_cuts(graph, cycle)
        total = sum(len(graph.edges[edge]) for edge in cuts)
        lines.append(f"- {', '.join(cycle)} ({len(cycle)} folders)")
        lines.append(f"  - Cheapest edges to cut to break it ({len(cuts)} edges, {total} uses):")
        lines += [f"    - {_edge_line(graph, edge)}" for edge in cuts]
    return lines


def _edge_line(graph: Graph, edge: tuple[str, str]) -> str:
    """`A → B (2 uses): file: identifier; …` with the first REASONS_SHOWN reasons."""
    reasons = graph.edges[edge]
    shown = "; ".join(f"`{r.file}`: `{r.identifier}`" for r in reasons[:REASONS_SHOWN])
    more = f"; … {len(reasons) - REASONS_SHOWN} more" if len(reasons) > REASONS_SHOWN else ""
    count = "1 use" if len(reasons) == 1 else f"{len(reasons)} uses"
    return f"{edge[0]} → {edge[1]} ({count}): {shown}{more}"


def render_json(graph: Graph) -> str:
    edges = [
        {
            "from": source,
            "to": target,
            "in_cycle": graph.in_cycle((source, target)),
            "reasons": [{"file": r.file, "line": r.line, "identifier": r.identifier} for r in reasons],
        }
        for (source, target), reasons in sorted(graph.edges.items(), key=lambda kv: (folder_sort_key(kv[0][0]), folder_sort_key(kv[0][1])))
    ]
    cycles = [
        {"folders": cycle, "suggested_cuts": [{"from": a, "to": b} for a, b in suggested_cuts(graph, cycle)]}
        for cycle in graph.cycles
    ]
    document = {"folders": graph.folders, "edges": edges, "cycles": cycles, "ambiguous": dict(sorted(graph.ambiguous.items()))}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------
# The section in docs/architecture.md.


class MarkerError(ValueError):
    pass


def _marker_span(document: str) -> tuple[int, int] | None:
    """(end of start marker, start of end marker), or None when neither marker is there."""
    start, end = document.find(START_MARKER), document.find(END_MARKER)
    if start < 0 and end < 0:
        return None
    if start < 0 or end < 0 or end < start:
        raise MarkerError(f"expected {START_MARKER} before {END_MARKER}, each once")
    return start + len(START_MARKER), end


def replace_section(document: str, section: str) -> str:
    """The document with the generated section between the markers, or appended under a new
    heading at the end when the markers are not there yet."""
    span = _marker_span(document)
    if span is None:
        return document.rstrip("\n") + f"\n\n{SECTION_HEADING}\n\n{START_MARKER}\n{section}{END_MARKER}\n"
    return document[: span[0]] + "\n" + section + document[span[1] :]


def current_section(document: str) -> str | None:
    span = _marker_span(document)
    return None if span is None else document[span[0] : span[1]].strip("\n") + "\n"


# --------------------------------------------------------------------------------------------
# Command line.


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 when there is a cycle")
    mode.add_argument("--json", action="store_true", help="edges with reasons and cycles as JSON")
    mode.add_argument("--write", metavar="FILE", help="replace the marked section of FILE")
    mode.add_argument("--verify", metavar="FILE", help="exit 1 when FILE's marked section is stale")
    parser.add_argument("--verbose", action="store_true", help="ambiguous names and timing on stderr")
    default_app = Path(__file__).resolve().parent.parent / "Sources" / "App"
    parser.add_argument("--sources", type=Path, default=default_app, help="the Sources/App folder (default: %(default)s)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    if not args.sources.is_dir():
        print(f"no such folder: {args.sources}", file=sys.stderr)
        return 2
    graph = build_graph(args.sources)
    if args.verbose:
        report_verbose(graph, time.perf_counter() - started)
    if args.check:
        print("\n".join(render_cycles(graph)))
        return 1 if graph.cycles else 0
    if args.json:
        sys.stdout.write(render_json(graph))
        return 0
    section = render_markdown(graph)
    try:
        if args.write:
            return write_section(Path(args.write), section)
        if args.verify:
            return verify_section(Path(args.verify), section)
    except (MarkerError, OSError) as error:
        print(f"{args.write or args.verify}: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(section)
    return 0


def write_section(path: Path, section: str) -> int:
    document = path.read_text(encoding="utf-8")
    updated = replace_section(document, section)
    if updated != document:
        path.write_text(updated, encoding="utf-8")
    return 0


def verify_section(path: Path, section: str) -> int:
    found = current_section(path.read_text(encoding="utf-8"))
    if found is None:
        print(f"{path}: no {START_MARKER} … {END_MARKER} section; run with --write {path}", file=sys.stderr)
        return 1
    if found == section:
        return 0
    diff = difflib.unified_diff(found.splitlines(True), section.splitlines(True), f"{path} (now)", "generated")
    sys.stderr.writelines(diff)
    print(f"{path}: the folder dependencies are out of date; run with --write {path}", file=sys.stderr)
    return 1


def report_verbose(graph: Graph, seconds: float) -> None:
    print(f"{len(graph.folders)} folders, {len(graph.edges)} edges, {len(graph.cycles)} cycles, {seconds:.2f} s", file=sys.stderr)
    print("Ignored as ambiguous (declared in more than one folder):", file=sys.stderr)
    for label, folders in sorted(graph.ambiguous.items()):
        print(f"  {label}: {', '.join(folders)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
