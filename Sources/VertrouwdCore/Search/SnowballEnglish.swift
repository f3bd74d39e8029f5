/// Snowball's English stemmer ("Porter2"), written from its published definition
/// (`algorithms/english.sbl`) step by step. `SnowballEnglishTests` holds it to the reference stems
/// of PyPI's `snowballstemmer`. It takes a lower-case word.
enum SnowballEnglish {
    typealias Scalars = SnowballBuffer.Scalars
    typealias Group = Set<Unicode.Scalar>

    static let vowel: Group = ["a", "e", "i", "o", "u", "y"]
    static let vowelWXY = vowel.union(["w", "x", "Y"])
    static let aeo: Group = ["a", "e", "o"]
    static let validLI: Group = ["c", "d", "e", "g", "h", "k", "m", "n", "r", "t"]

    static func list(_ strings: [String]) -> [Scalars] { strings.map(SnowballBuffer.scalars) }
    static func letters(_ text: String) -> Scalars { SnowballBuffer.scalars(text) }

    static func stem(_ word: String) -> String {
        var run = Run(buffer: SnowballBuffer(word))
        run.stem()
        return run.buffer.word
    }

    static let exceptions: [(String, String)] = [
        ("skis", "ski"), ("skies", "sky"), ("idly", "idl"), ("gently", "gentl"), ("ugly", "ugli"), ("early", "earli"),
        ("only", "onli"), ("singly", "singl"), ("sky", "sky"), ("news", "news"), ("howe", "howe"), ("atlas", "atlas"),
        ("cosmos", "cosmos"), ("bias", "bias"), ("andes", "andes"),
    ]
    static let exceptionStrings = list(exceptions.map(\.0))
    static let regionPrefixes = list(["gener", "commun", "arsen", "past", "univers", "later", "emerg", "organ", "inter"])

    struct Run: SnowballRun {
        var buffer: SnowballBuffer
        var p1 = 0
        var p2 = 0
        var yFound = false

        var r1: Bool { p1 <= buffer.cursor }
        var r2: Bool { p2 <= buffer.cursor }

        /// One letter before the cursor, which moves over it.
        mutating func letterBackward(_ letter: Unicode.Scalar) -> Bool {
            guard buffer.cursor > buffer.limitBackward, buffer.text[buffer.cursor - 1] == letter else { return false }
            buffer.cursor -= 1
            return true
        }

        // MARK: - Forward

        mutating func exception() -> Bool {
            buffer.bra = buffer.cursor
            guard let found = buffer.among(SnowballEnglish.exceptionStrings) else { return false }
            buffer.ket = buffer.cursor
            guard buffer.atLimit else { return false }
            replaceSlice(SnowballEnglish.exceptions[found].1)
            return true
        }

        /// Initial apostrophe gone; "y" at the start or after a vowel marked as a consonant ("Y").
        mutating func prelude() {
            let start = buffer.cursor
            buffer.bra = buffer.cursor
            if buffer.equals(SnowballEnglish.letters("'")) {
                buffer.ket = buffer.cursor
                buffer.sliceDelete()
            }
            buffer.cursor = start
            buffer.bra = buffer.cursor
            if buffer.equals(SnowballEnglish.letters("y")) {
                buffer.ket = buffer.cursor
                replaceSlice("Y")
                yFound = true
            }
            buffer.cursor = start
            // repeat (goto (v ['y']) <-'Y')
            while buffer.goTo({ buffer in
                guard buffer.inGrouping(SnowballEnglish.vowel) else { return false }
                buffer.bra = buffer.cursor
                guard buffer.equals(SnowballEnglish.letters("y")) else { return false }
                buffer.ket = buffer.cursor
                return true
            }) {
                replaceSlice("Y")
                yFound = true
            }
            buffer.cursor = start
        }

        /// `gopast v gopast non-v`.
        mutating func pastVowelThenConsonant() -> Bool {
            while buffer.cursor < buffer.limit, !SnowballEnglish.vowel.contains(buffer.text[buffer.cursor]) { buffer.cursor += 1 }
            guard buffer.cursor < buffer.limit else { return false }
            buffer.cursor += 1
            while buffer.cursor < buffer.limit, SnowballEnglish.vowel.contains(buffer.text[buffer.cursor]) { buffer.cursor += 1 }
            guard buffer.cursor < buffer.limit else { return false }
            buffer.cursor += 1
            return true
        }

        mutating func markRegions() {
            p1 = buffer.limit
            p2 = buffer.limit
            let start = buffer.cursor
            defer { buffer.cursor = start }
            if buffer.among(SnowballEnglish.regionPrefixes) == nil {
                buffer.cursor = start
                guard pastVowelThenConsonant() else { return }
            }
            p1 = buffer.cursor
            guard pastVowelThenConsonant() else { return }
            p2 = buffer.cursor
        }

        mutating func postlude() {
            guard yFound else { return }
            // repeat (goto (['Y']) <-'y')
            while buffer.goTo({ buffer in
                buffer.bra = buffer.cursor
                guard buffer.equals(SnowballEnglish.letters("Y")) else { return false }
                buffer.ket = buffer.cursor
                return true
            }) {
                replaceSlice("y")
            }
        }

        // MARK: - Backward

        /// A short syllable ends at the cursor; the cursor moves.
        mutating func shortV() -> Bool {
            let start = buffer.cursor
            if buffer.outGroupingBackward(SnowballEnglish.vowelWXY), buffer.inGroupingBackward(SnowballEnglish.vowel),
                buffer.outGroupingBackward(SnowballEnglish.vowel)
            {
                return true
            }
            buffer.cursor = start
            if buffer.outGroupingBackward(SnowballEnglish.vowel), buffer.inGroupingBackward(SnowballEnglish.vowel),
                buffer.atLimitBackward
            {
                return true
            }
            buffer.cursor = start
            return buffer.equalsBackward(SnowballEnglish.letters("past"))
        }

        /// Moves back past the nearest vowel before the cursor (`gopast v`).
        mutating func backPastVowel() -> Bool {
            while buffer.cursor > buffer.limitBackward, !SnowballEnglish.vowel.contains(buffer.text[buffer.cursor - 1]) {
                buffer.cursor -= 1
            }
            guard buffer.cursor > buffer.limitBackward else { return false }
            buffer.cursor -= 1
            return true
        }

        static let apostrophes = list(["'", "'s", "'s'"])
        static let step1aStrings = list(["sses", "ied", "ies", "s", "us", "ss"])

        mutating func step1a() {
            let fromEnd = buffer.limit - buffer.cursor
            buffer.ket = buffer.cursor
            if buffer.amongBackward(Self.apostrophes) != nil {
                buffer.bra = buffer.cursor
                buffer.sliceDelete()
            } else {
                buffer.cursor = buffer.limit - fromEnd
            }
            buffer.ket = buffer.cursor
            guard let found = buffer.amongBackward(Self.step1aStrings) else { return }
            buffer.bra = buffer.cursor
            switch found {
            case 0: replaceSlice("ss")
            case 1, 2:
                let here = buffer.limit - buffer.cursor
                if buffer.cursor - 2 >= buffer.limitBackward {
                    buffer.cursor -= 2
                    replaceSlice("i")
                } else {
                    buffer.cursor = buffer.limit - here
                    replaceSlice("ie")
                }
            case 3:
                guard buffer.cursor > buffer.limitBackward else { return }
                buffer.cursor -= 1
                guard backPastVowel() else { return }
                buffer.sliceDelete()
            default: break
            }
        }

        static let step1bStrings = list(["eed", "eedly", "ed", "edly", "ingly", "ing", ""])
        static let eedExceptions = list(["proc", "exc", "succ"])
        static let ingExceptions = list(["y", "inn", "out", "cann", "herr", "earr", "even"])
        static let undoubleStrings = list(["at", "bl", "iz", "bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt", ""])

        mutating func step1b() {
            buffer.ket = buffer.cursor
            guard let found = buffer.amongBackward(Self.step1bStrings) else { return }
            buffer.bra = buffer.cursor
            let fromEnd = buffer.limit - buffer.cursor
            switch found {
            case 0, 1:
                keepingCursor { run in
                    guard run.r1 else { return }
                    let here = run.buffer.limit - run.buffer.cursor
                    if run.buffer.amongBackward(Self.eedExceptions) != nil, run.buffer.atLimitBackward { return }
                    run.buffer.cursor = run.buffer.limit - here
                    run.replaceSlice("ee")
                }
                return
            case 5:
                if let exception = buffer.amongBackward(Self.ingExceptions) {
                    if exception == 0 {
                        let here = buffer.limit - buffer.cursor
                        if buffer.outGroupingBackward(SnowballEnglish.vowel), buffer.atLimitBackward {
                            buffer.cursor = buffer.limit - here
                            buffer.bra = buffer.cursor
                            replaceSlice("ie")
                            return
                        }
                    } else if buffer.atLimitBackward {
                        return
                    }
                }
            case 6: return
            default: break
            }
            // 'ed' 'edly' 'ing' 'ingly' (and an 'ing' none of the exceptions took).
            buffer.cursor = buffer.limit - fromEnd
            let here = buffer.limit - buffer.cursor
            guard backPastVowel() else { return }
            buffer.cursor = buffer.limit - here
            buffer.sliceDelete()
            buffer.ket = buffer.cursor
            buffer.bra = buffer.cursor
            let beforeTest = buffer.limit - buffer.cursor
            let ending = buffer.amongBackward(Self.undoubleStrings) ?? 12
            switch ending {
            case 0, 1, 2:
                replaceSlice("e")
                return
            case 12:
                guard buffer.cursor == p1 else { return }
                let atMark = buffer.limit - buffer.cursor
                guard shortV() else { return }
                buffer.cursor = buffer.limit - atMark
                replaceSlice("e")
                return
            default:
                let atDouble = buffer.limit - buffer.cursor
                if buffer.inGroupingBackward(SnowballEnglish.aeo), buffer.atLimitBackward { return }
                buffer.cursor = buffer.limit - atDouble
            }
            buffer.cursor = buffer.limit - beforeTest
            buffer.ket = buffer.cursor
            guard buffer.cursor > buffer.limitBackward else { return }
            buffer.cursor -= 1
            buffer.bra = buffer.cursor
            buffer.sliceDelete()
        }

        mutating func step1c() {
            buffer.ket = buffer.cursor
            guard letterBackward("y") || letterBackward("Y") else { return }
            buffer.bra = buffer.cursor
            guard buffer.outGroupingBackward(SnowballEnglish.vowel), !buffer.atLimitBackward else { return }
            replaceSlice("i")
        }

        static let step2Rules: [(String, String?)] = [
            ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("abli", "able"), ("entli", "ent"), ("izer", "ize"),
            ("ization", "ize"), ("ational", "ate"), ("ation", "ate"), ("ator", "ate"), ("alism", "al"), ("aliti", "al"),
            ("alli", "al"), ("fulness", "ful"), ("ousli", "ous"), ("ousness", "ous"), ("iveness", "ive"), ("iviti", "ive"),
            ("biliti", "ble"), ("bli", "ble"), ("ogist", "og"), ("ogi", nil), ("fulli", "ful"), ("lessli", "less"), ("li", nil),
        ]
        static let step2Strings = list(step2Rules.map(\.0))

        mutating func step2() {
            buffer.ket = buffer.cursor
            guard let found = buffer.amongBackward(Self.step2Strings) else { return }
            buffer.bra = buffer.cursor
            guard r1 else { return }
            switch Self.step2Rules[found] {
            case ("ogi", _):
                guard letterBackward("l") else { return }
                replaceSlice("og")
            case ("li", _):
                guard buffer.inGroupingBackward(SnowballEnglish.validLI) else { return }
                buffer.sliceDelete()
            case (_, let replacement?): replaceSlice(replacement)
            default: break
            }
        }

        static let step3Rules: [(String, String?)] = [
            ("tional", "tion"), ("ational", "ate"), ("alize", "al"), ("icate", "ic"), ("iciti", "ic"), ("ical", "ic"),
            ("ful", ""), ("ness", ""), ("ative", nil),
        ]
        static let step3Strings = list(step3Rules.map(\.0))

        mutating func step3() {
            buffer.ket = buffer.cursor
            guard let found = buffer.amongBackward(Self.step3Strings) else { return }
            buffer.bra = buffer.cursor
            guard r1 else { return }
            if let replacement = Self.step3Rules[found].1 {
                replaceSlice(replacement)
            } else if r2 {
                buffer.sliceDelete()
            }
        }

        static let step4Strings = list([
            "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism", "ate", "iti", "ous", "ive", "ize",
            "ion",
        ])

        mutating func step4() {
            buffer.ket = buffer.cursor
            guard let found = buffer.amongBackward(Self.step4Strings) else { return }
            buffer.bra = buffer.cursor
            guard r2 else { return }
            if found == Self.step4Strings.count - 1 {
                guard letterBackward("s") || letterBackward("t") else { return }
            }
            buffer.sliceDelete()
        }

        static let step5Strings = list(["e", "l"])

        mutating func step5() {
            buffer.ket = buffer.cursor
            guard let found = buffer.amongBackward(Self.step5Strings) else { return }
            buffer.bra = buffer.cursor
            if found == 0 {
                if !r2 {
                    guard r1 else { return }
                    let here = buffer.limit - buffer.cursor
                    let short = shortV()
                    buffer.cursor = buffer.limit - here
                    guard !short else { return }
                }
                buffer.sliceDelete()
            } else {
                guard r2, letterBackward("l") else { return }
                buffer.sliceDelete()
            }
        }

        // MARK: - The whole

        mutating func stem() {
            let start = buffer.cursor
            if exception() { return }
            buffer.cursor = start
            guard buffer.cursor + 3 <= buffer.limit else { return }
            prelude()
            markRegions()
            buffer.limitBackward = buffer.cursor
            buffer.cursor = buffer.limit
            keepingCursor { $0.step1a() }
            keepingCursor { $0.step1b() }
            keepingCursor { $0.step1c() }
            keepingCursor { $0.step2() }
            keepingCursor { $0.step3() }
            keepingCursor { $0.step4() }
            keepingCursor { $0.step5() }
            buffer.cursor = buffer.limitBackward
            let beforePostlude = buffer.cursor
            postlude()
            buffer.cursor = beforePostlude
        }
    }
}
