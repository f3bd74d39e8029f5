"""Self-test for scripts/dependency-graph.py (standard library only).

    python3 -m unittest discover -s scripts -p 'test_dependency_graph.py'
    python3 scripts/test_dependency_graph.py

Each test builds a tiny fake Sources/App in a temporary folder, so it never reads the real tree.
"""

import contextlib
import importlib.util
import io
import json
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

_SCRIPT = Path(__file__).resolve().parent / "dependency-graph.py"
_spec = importlib.util.spec_from_file_location("dependency_graph", _SCRIPT)
dg = importlib.util.module_from_spec(_spec)
sys.modules["dependency_graph"] = dg  # dataclasses look their module up by name
_spec.loader.exec_module(dg)


class FakeTree:
    """A temporary Sources/ with an App module (and optionally others) written from a dict."""

    def __init__(self, files: dict[str, str]):
        self._dir = tempfile.TemporaryDirectory()
        self.sources = Path(self._dir.name) / "Sources"
        self.app = self.sources / "App"
        self.app.mkdir(parents=True)
        for relative, text in files.items():
            path = self.sources / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")

    def graph(self):
        return dg.build_graph(self.app)

    def edges(self) -> set[tuple[str, str]]:
        return set(self.graph().edges)

    def run(self, *args: str) -> tuple[int, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = dg.main([*args, "--sources", str(self.app)])
        return code, out.getvalue()

    def close(self):
        self._dir.cleanup()


class StrippingTests(unittest.TestCase):
    def test_line_and_nested_block_comments_are_blanked(self):
        source = "let a = Foo() // Bar\n/* Baz /* nested Qux */ still */ let b = 1\n"
        stripped = dg.strip_comments_and_strings(source)
        self.assertIn("Foo", stripped)
        for word in ("Bar", "Baz", "Qux", "still"):
            self.assertNotIn(word, stripped)
        self.assertIn("let b = 1", stripped)

    def test_strings_are_blanked_but_interpolated_code_is_kept(self):
        source = 'let s = "Hidden \\(Shown.value) \\"Quoted\\" \\(f("Inner"))"; let t = Tail()\n'
        stripped = dg.strip_comments_and_strings(source)
        self.assertNotIn("Hidden", stripped)
        self.assertNotIn("Quoted", stripped)
        self.assertNotIn("Inner", stripped)
        self.assertIn("Shown.value", stripped)
        self.assertIn("Tail()", stripped)

    def test_multi_line_and_raw_strings(self):
        source = (
            'let m = """\n'
            '    Hidden "quoted" line\n'
            '    \\(Shown.x)\n'
            '    """\n'
            'let r = #"<a href="Hidden2">\\(NotCode)\\#(Code.y)"#\n'
            "let after = After()\n"
        )
        stripped = dg.strip_comments_and_strings(source)
        for word in ("Hidden", "quoted", "Hidden2", "NotCode"):
            self.assertNotIn(word, stripped)
        for code in ("Shown.x", "Code.y", "After()"):
            self.assertIn(code, stripped)

    def test_regex_literals_open_no_string_and_division_stays_code(self):
        source = (
            'let name = text.firstMatch(of: /name="([^"]*)"/)?.output.1 ?? Fallback.none\n'
            "let half = total / 2 + count/3\n"
            "let r = #/a\"b/#\nlet z = After()\n"
        )
        stripped = dg.strip_comments_and_strings(source)
        self.assertIn("Fallback.none", stripped)
        self.assertIn("total / 2 + count/3", stripped)
        self.assertIn("After()", stripped)
        self.assertNotIn("name=", stripped)

    def test_length_and_line_breaks_are_kept(self):
        source = 'a /* x\ny */ "s\\(b)" """\nz\n""" // c\nd\n'
        stripped = dg.strip_comments_and_strings(source)
        self.assertEqual(len(source), len(stripped))
        self.assertEqual(source.count("\n"), stripped.count("\n"))


class DependencyTests(unittest.TestCase):
    def tree(self, files):
        tree = FakeTree(files)
        self.addCleanup(tree.close)
        return tree

    def test_types_in_comments_and_strings_do_not_count_but_interpolations_do(self):
        tree = self.tree({
            "App/B/Widget.swift": "struct Widget { static let name = 1 }\nstruct Gadget {}\n",
            "App/A/Uses.swift": """\
                // Widget is mentioned here only
                /// and Widget here
                let text = "Widget in a string"
                let shown = "\\(Gadget())"
            """,
        })
        graph = tree.graph()
        self.assertEqual({("A", "B")}, set(graph.edges))
        self.assertEqual(["Gadget"], [r.identifier for r in graph.edges[("A", "B")]])

    def test_loose_files_are_the_root_folder_and_deeper_files_belong_to_their_top_folder(self):
        tree = self.tree({
            "App/routes.swift": "func routes(_ app: Application) throws { app.register(collection: HomeController()) }\n",
            "App/Home/Deep/HomeController.swift": "struct HomeController {\n    func boot(routes: RoutesBuilder) { routes.get() }\n}\n",
        })
        # `routes` as a parameter is not the top-level func routes(_:)
        self.assertEqual({("(root)", "Home")}, tree.edges())

    def test_extension_members_on_vapor_types(self):
        tree = self.tree({
            "App/Cases/CasePage.swift": """\
                extension Request {
                    func counsellorCase() async throws -> Int { 1 }
                    var now: Date { Date() }
                }
            """,
            "App/Audit/AuditEvent.swift": """\
                extension Request {
                    func audit(_ action: String) async throws {}
                }
            """,
            "App/Matching/MatchController.swift": """\
                struct MatchController {
                    func show(req: Request) async throws {
                        let opened = try await req.counsellorCase()
                        try await req.audit("match.show")
                        let time = req.now
                    }
                }
            """,
            "App/Logging/Log.swift": "struct Log {\n    func f(req: Request) { let n = req.now }\n}\n",
        })
        edges = tree.edges()
        self.assertIn(("Matching", "Cases"), edges)
        self.assertIn(("Matching", "Audit"), edges)
        self.assertNotIn(("Logging", "Cases"), edges)  # `now` is shorter than 4 characters

    def test_bare_extension_member_inside_another_extension_of_the_same_type(self):
        tree = self.tree({
            "App/Notifications/Notifier.swift": "extension Request {\n    func notifyPerson(of id: Int) async {}\n}\n",
            "App/Matching/MatchViews.swift": "extension Request {\n    func notifyPeople() async { await notifyPerson(of: 1) }\n}\n",
            "App/Cases/Other.swift": "struct Other {\n    func notifyPerson(of id: Int) {}\n    func go() { notifyPerson(of: 2) }\n}\n",
        })
        edges = tree.edges()
        self.assertIn(("Matching", "Notifications"), edges)
        self.assertNotIn(("Cases", "Notifications"), edges)  # its own notifyPerson, not Request's

    def test_receiver_names_and_ambiguous_members(self):
        tree = self.tree({
            "App/Contact/Inbox.swift": "extension Request {\n    func formatted(_ date: Date?) -> String { \"\" }\n}\n",
            "App/Views/Render.swift": "extension Request {\n    func render(_ t: String) -> Int { 1 }\n}\n",
            "App/Cases/Page.swift": "struct Page {\n    func render() -> Int { 2 }\n}\n",
            "App/Logging/Log.swift": "struct Log {\n    func line(date: Date) -> String { date.formatted(.iso8601) }\n}\n",
            "App/Home/Home.swift": "struct Home {\n    func show(req: Request) { _ = req.render(\"home\"); _ = req.formatted(nil) }\n    func x(p: Page) { _ = p.render() }\n}\n",
        })
        graph = tree.graph()
        self.assertNotIn(("Logging", "Contact"), graph.edges)  # Foundation's Date.formatted
        self.assertIn(("Home", "Views"), graph.edges)  # req.render: Request's, though `render` is ambiguous
        self.assertIn(("Home", "Contact"), graph.edges)
        self.assertIn(("Home", "Cases"), graph.edges)  # the type Page, not p.render()
        self.assertEqual(["Page"], [r.identifier for r in graph.edges[("Home", "Cases")]])
        self.assertIn("member .render (receiver unknown)", graph.ambiguous)

    def test_outer_inner_belongs_to_the_folder_that_declares_it(self):
        tree = self.tree({
            "App/Cases/CaseVault.swift": "struct CaseVault {\n    struct OpenedCase {}\n}\n",
            "App/YearlyReport/Extra.swift": "extension CaseVault {\n    struct Summary {}\n    static func optionalQuestions() -> Int { 1 }\n}\n",
            "App/Matching/Use.swift": "struct Use {\n    let a: CaseVault.OpenedCase\n}\n",
            "App/Journal/Use.swift": "struct JournalUse {\n    let b: CaseVault.Summary\n}\n",
            "App/Admin/Inside.swift": "extension CaseVault {\n    func f() -> OpenedCase? { nil }\n}\n",
            "App/Home/Static.swift": "struct HomeStatic {\n    let n = CaseVault.optionalQuestions()\n}\n",
        })
        graph = tree.graph()
        self.assertIn(("Matching", "Cases"), graph.edges)
        self.assertIn(("YearlyReport", "Cases"), graph.edges)  # `extension CaseVault` uses it
        self.assertIn(("Journal", "YearlyReport"), graph.edges)  # CaseVault.Summary is declared there
        self.assertIn(("Journal", "Cases"), graph.edges)  # and CaseVault is Cases'
        self.assertIn("CaseVault.Summary", [r.identifier for r in graph.edges[("Journal", "YearlyReport")]])
        self.assertIn("CaseVault.OpenedCase", [r.identifier for r in graph.edges[("Admin", "Cases")]])
        self.assertIn(("Home", "YearlyReport"), graph.edges)  # CaseVault.optionalQuestions

    def test_private_and_local_declarations_are_invisible_and_labels_are_not_declarations(self):
        tree = self.tree({
            "App/A/Hidden.swift": "private struct Secret {}\nfileprivate enum Other {}\nfunc helper() { struct Local {} }\n",
            "App/A/Ext.swift": "private extension Request {\n    func hiddenThing() {}\n}\nextension Request {\n    private var alsoHidden: Int { 1 }\n}\n",
            "App/B/Use.swift": "struct UseIt {\n    let s = Secret()\n    let l = Local()\n    func f(req: Request) { record(actor: Actor.x); req.hiddenThing(); _ = req.alsoHidden }\n}\n",
            "App/C/Audit.swift": "struct Log {\n    func record(actor: Actor) {}\n}\nenum Actor { case x }\n",
        })
        graph = tree.graph()
        self.assertEqual({("B", "C")}, set(graph.edges))
        self.assertEqual(["Actor.x"], [r.identifier for r in graph.edges[("B", "C")]])

    def test_names_declared_in_two_folders_are_ambiguous(self):
        tree = self.tree({
            "App/A/Row.swift": "struct Row {}\n",
            "App/B/Row.swift": "struct Row {}\n",
            "App/C/Use.swift": "struct Use { let r: Row }\n",
        })
        graph = tree.graph()
        self.assertEqual({}, graph.edges)
        self.assertEqual(["A", "B"], graph.ambiguous["type Row"])

    def test_other_modules_make_member_names_ambiguous(self):
        tree = self.tree({
            "Core/Thing.swift": "public struct Thing {\n    public var label: String\n}\n",
            "App/YearlyReport/Ext.swift": "extension Thing {\n    func label(_ x: Int) -> String { \"\" }\n}\n",
            "App/Cases/Use.swift": "struct Use {\n    func f(t: Thing) { _ = t.label(1) }\n}\n",
        })
        graph = tree.graph()
        self.assertEqual({}, graph.edges)
        self.assertIn("member .label (receiver unknown)", graph.ambiguous)


class CycleTests(unittest.TestCase):
    FILES = {
        "App/A/A.swift": "struct AType { let b: BType }\n",
        "App/B/B.swift": "struct BType { let c: CType; let c2: CType2 }\n",
        "App/C/C.swift": "struct CType { let a: AType }\nstruct CType2 {}\n",
        "App/D/D.swift": "struct DType { let a: AType }\n",
        "App/E/E.swift": "struct EType {}\n",
    }

    def setUp(self):
        self.tree = FakeTree(self.FILES)
        self.addCleanup(self.tree.close)

    def test_tarjan_finds_the_cycle_only(self):
        graph = self.tree.graph()
        self.assertEqual([["A", "B", "C"]], graph.cycles)
        self.assertEqual(["A", "B", "C", "D", "E"], graph.folders)

    def test_components_on_a_plain_graph(self):
        edges = {("x", "y"): [], ("y", "x"): [], ("y", "z"): [], ("z", "w"): [], ("w", "z"): [], ("v", "v"): []}
        self.assertEqual([["w", "z"], ["x", "y"]], dg.strongly_connected_components(["v"], edges))

    def test_suggested_cuts_break_every_cycle_and_prefer_weak_edges(self):
        graph = self.tree.graph()
        cuts = dg.suggested_cuts(graph, graph.cycles[0])
        self.assertEqual(1, len(cuts))
        self.assertNotEqual(("B", "C"), cuts[0])  # B → C has two uses, the others one
        rest = {edge: reasons for edge, reasons in graph.edges.items() if edge not in cuts}
        self.assertEqual([], dg.strongly_connected_components(graph.folders, rest))

    def test_check_exit_code(self):
        code, out = self.tree.run("--check")
        self.assertEqual(1, code)
        self.assertIn("A, B, C", out)
        acyclic = FakeTree({"App/A/A.swift": "struct AType { let b: BType }\n", "App/B/B.swift": "struct BType {}\n"})
        self.addCleanup(acyclic.close)
        self.assertEqual((0, "Cycles:\n\n- none\n"), acyclic.run("--check"))

    def test_markdown_is_deterministic_and_lists_reasons(self):
        code, first = self.tree.run()
        self.assertEqual(0, code)
        self.assertEqual(first, self.tree.run()[1])
        self.assertIn("- A → B\n", first)
        self.assertIn("- E → (nothing)\n", first)
        self.assertIn("- A, B, C (3 folders)\n", first)
        self.assertIn("    - A → B (1 use): `A/A.swift`: `BType`\n", first)
        self.assertNotIn("D →", first.split("Cycles:")[1], "an edge outside the cycle is no cut")

    def test_json(self):
        code, out = self.tree.run("--json")
        document = json.loads(out)
        self.assertEqual(0, code)
        self.assertEqual(["A", "B", "C"], document["cycles"][0]["folders"])
        edge = next(e for e in document["edges"] if (e["from"], e["to"]) == ("D", "A"))
        self.assertEqual({"file": "D/D.swift", "line": 1, "identifier": "AType"}, edge["reasons"][0])
        self.assertFalse(edge["in_cycle"])


class DocumentTests(unittest.TestCase):
    def setUp(self):
        self.tree = FakeTree(CycleTests.FILES)
        self.addCleanup(self.tree.close)
        self.doc = self.tree.sources.parent / "architecture.md"

    def test_write_appends_then_replaces_and_verify_checks(self):
        self.doc.write_text("# Architecture\n\nText.\n", encoding="utf-8")
        self.assertEqual(1, self.tree.run("--verify", str(self.doc))[0])  # no markers yet
        self.assertEqual(0, self.tree.run("--write", str(self.doc))[0])
        written = self.doc.read_text(encoding="utf-8")
        self.assertTrue(written.startswith("# Architecture\n\nText.\n\n## Folder dependencies\n\n<!-- dependency-graph:start -->\n"))
        self.assertTrue(written.endswith("`BType`\n<!-- dependency-graph:end -->\n"))
        self.assertEqual(0, self.tree.run("--verify", str(self.doc))[0])
        self.assertEqual(0, self.tree.run("--write", str(self.doc))[0])
        self.assertEqual(written, self.doc.read_text(encoding="utf-8"))  # idempotent

        self.doc.write_text(written.replace("- D → A", "- D → B") + "\nAfter.\n", encoding="utf-8")
        self.assertEqual(1, self.tree.run("--verify", str(self.doc))[0])
        self.tree.run("--write", str(self.doc))
        self.assertEqual(written + "\nAfter.\n", self.doc.read_text(encoding="utf-8"))

    def test_replace_section_keeps_the_text_around_the_markers(self):
        document = "before\n<!-- dependency-graph:start -->\nold\n<!-- dependency-graph:end -->\nafter\n"
        replaced = dg.replace_section(document, "new\n")
        self.assertEqual("before\n<!-- dependency-graph:start -->\nnew\n<!-- dependency-graph:end -->\nafter\n", replaced)
        self.assertEqual("new\n", dg.current_section(replaced))
        with self.assertRaises(dg.MarkerError):
            dg.replace_section("<!-- dependency-graph:end -->\n<!-- dependency-graph:start -->\n", "x\n")


if __name__ == "__main__":
    unittest.main()
