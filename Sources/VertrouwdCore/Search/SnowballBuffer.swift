/// The machinery Snowball stemmers run on (snowballstem.org): a word, a cursor over it, the slice
/// between `bra` and `ket`, and the limits the cursor may not pass. Forward operations move the
/// cursor right; the `…Backward` ones move it left, towards `limitBackward`. A failed test leaves
/// the cursor where it was, so callers restore it only where Snowball's `do`, `test`, `not` and
/// `or` say so.
struct SnowballBuffer {
    typealias Scalars = [Unicode.Scalar]

    private(set) var text: Scalars
    var cursor = 0
    private(set) var limit: Int
    var limitBackward = 0
    var bra = 0
    var ket: Int

    init(_ word: String) {
        text = Array(word.unicodeScalars)
        limit = text.count
        ket = text.count
    }

    var word: String { String(String.UnicodeScalarView(text)) }
    var slice: Scalars { Array(text[bra..<ket]) }
    var atLimit: Bool { cursor == limit }
    var atLimitBackward: Bool { cursor == limitBackward }

    static func scalars(_ text: String) -> Scalars { Array(text.unicodeScalars) }

    // MARK: - Forward

    mutating func equals(_ string: Scalars) -> Bool {
        guard limit - cursor >= string.count, text[cursor..<cursor + string.count].elementsEqual(string) else { return false }
        cursor += string.count
        return true
    }

    mutating func inGrouping(_ group: Set<Unicode.Scalar>) -> Bool {
        guard cursor < limit, group.contains(text[cursor]) else { return false }
        cursor += 1
        return true
    }

    mutating func outGrouping(_ group: Set<Unicode.Scalar>) -> Bool {
        guard cursor < limit, !group.contains(text[cursor]) else { return false }
        cursor += 1
        return true
    }

    /// The longest of `strings` that starts at the cursor (its index), the cursor moved past it.
    /// Snowball's `goto`: moves right until `match` succeeds (it sets the slice), and stops before it.
    mutating func goTo(_ match: (inout SnowballBuffer) -> Bool) -> Bool {
        while true {
            let here = cursor
            let matched = match(&self)
            cursor = here
            if matched { return true }
            guard cursor < limit else { return false }
            cursor += 1
        }
    }

    mutating func among(_ strings: [Scalars]) -> Int? {
        var best: Int?
        for (index, string) in strings.enumerated() where string.count > (best.map { strings[$0].count } ?? -1) {
            if limit - cursor >= string.count, text[cursor..<cursor + string.count].elementsEqual(string) { best = index }
        }
        if let best { cursor += strings[best].count }
        return best
    }

    // MARK: - Backward

    mutating func equalsBackward(_ string: Scalars) -> Bool {
        guard cursor - limitBackward >= string.count, text[cursor - string.count..<cursor].elementsEqual(string) else { return false }
        cursor -= string.count
        return true
    }

    mutating func inGroupingBackward(_ group: Set<Unicode.Scalar>) -> Bool {
        guard cursor > limitBackward, group.contains(text[cursor - 1]) else { return false }
        cursor -= 1
        return true
    }

    mutating func outGroupingBackward(_ group: Set<Unicode.Scalar>) -> Bool {
        guard cursor > limitBackward, !group.contains(text[cursor - 1]) else { return false }
        cursor -= 1
        return true
    }

    /// The longest of `strings` that ends at the cursor (its index), the cursor moved before it.
    mutating func amongBackward(_ strings: [Scalars]) -> Int? {
        var best: Int?
        for (index, string) in strings.enumerated() where string.count > (best.map { strings[$0].count } ?? -1) {
            if cursor - limitBackward >= string.count, text[cursor - string.count..<cursor].elementsEqual(string) { best = index }
        }
        if let best { cursor -= strings[best].count }
        return best
    }

    // MARK: - Changing the word

    /// Replaces `start..<end` with `string`; the limit and a cursor after the change move with it.
    @discardableResult
    mutating func replace(_ start: Int, _ end: Int, with string: Scalars) -> Int {
        let adjustment = string.count - (end - start)
        text.replaceSubrange(start..<end, with: string)
        limit += adjustment
        if cursor >= end {
            cursor += adjustment
        } else if cursor > start {
            cursor = start
        }
        return adjustment
    }

    /// Snowball's `<-`: the slice becomes `string`.
    mutating func sliceFrom(_ string: Scalars) {
        replace(bra, ket, with: string)
        ket = bra + string.count
    }

    mutating func sliceDelete() { sliceFrom([]) }

    /// Inserts `string` at `start..<end`, keeping the slice's ends on the same letters.
    mutating func insert(_ start: Int, _ end: Int, _ string: Scalars) {
        let adjustment = replace(start, end, with: string)
        if start <= bra { bra += adjustment }
        if start <= ket { ket += adjustment }
    }
}

/// What every stemmer's run shares: its buffer, Snowball's `do` in backward mode, and `<-`.
protocol SnowballRun {
    var buffer: SnowballBuffer { get set }
}

extension SnowballRun {
    /// Runs `body` and puts the cursor back where it was, counted from the end (Snowball's `do` and
    /// `test` in backward mode, where changes happen behind the cursor).
    mutating func keepingCursor(_ body: (inout Self) -> Void) {
        let fromEnd = buffer.limit - buffer.cursor
        body(&self)
        buffer.cursor = buffer.limit - fromEnd
    }

    mutating func replaceSlice(_ letters: String) { buffer.sliceFrom(SnowballBuffer.scalars(letters)) }
}
