/// Snowball's Dutch stemmer, the one Snowball 3 calls `dutch` (Wessel Kraaij and Renée Pohlmann's
/// rules, with Snowball's exceptions), written from its published definition (`algorithms/dutch.sbl`)
/// step by step. `SnowballDutchTests` holds it to the reference stems of PyPI's `snowballstemmer`.
/// It takes a lower-case word with its accents ("geïnd", "geëerd"): fold accents after stemming.
enum SnowballDutch {
    typealias Scalars = SnowballBuffer.Scalars
    typealias Group = Set<Unicode.Scalar>

    static let letterA: Group = ["a", "ä", "á", "à", "â"]
    static let letterE: Group = ["e", "ë", "é", "è", "ê"]
    static let letterI: Group = ["i", "ï", "í", "ì", "î"]
    static let letterO: Group = ["o", "ö", "ó", "ò", "ô"]
    static let letterU: Group = ["u", "ü", "ú", "ù", "û"]
    static let aiou = letterA.union(letterI).union(letterO).union(letterU)
    static let aeiou = aiou.union(letterE)
    static let vowel = aeiou.union(["y"])
    static let vowelWX = vowel.union(["w", "x"])

    static func list(_ strings: [String]) -> [Scalars] { strings.map(SnowballBuffer.scalars) }
    static let ij = SnowballBuffer.scalars("ij")

    static func stem(_ word: String) -> String {
        var run = Run(buffer: SnowballBuffer(word))
        run.stem()
        return run.buffer.word
    }

    struct Run: SnowballRun {
        var buffer: SnowballBuffer
        var p1 = 0
        var p2 = 0
        var geRemoved = false

        // MARK: - Conditions (backward)

        var r1: Bool { p1 <= buffer.cursor }
        var r2: Bool { p2 <= buffer.cursor }

        /// `v or 'ij'` before the cursor, which moves over it.
        mutating func vowelOrIJBackward() -> Bool {
            let start = buffer.cursor
            if buffer.inGroupingBackward(SnowballDutch.vowel) { return true }
            buffer.cursor = start
            return buffer.equalsBackward(SnowballDutch.ij)
        }

        /// `V`: a vowel (or "ij") before the cursor; the cursor stays.
        mutating func testV() -> Bool {
            let start = buffer.cursor
            defer { buffer.cursor = start }
            return vowelOrIJBackward()
        }

        /// `VX`: any letter, then a vowel (or "ij") before it; the cursor stays.
        mutating func testVX() -> Bool {
            let start = buffer.cursor
            defer { buffer.cursor = start }
            guard buffer.cursor > buffer.limitBackward else { return false }
            buffer.cursor -= 1
            return vowelOrIJBackward()
        }

        /// `C`: a consonant before the cursor, and not the "j" of "ij"; the cursor stays.
        mutating func testC() -> Bool {
            let start = buffer.cursor
            defer { buffer.cursor = start }
            if buffer.equalsBackward(SnowballDutch.ij) { return false }
            buffer.cursor = start
            return buffer.outGroupingBackward(SnowballDutch.vowel)
        }

        /// `s` (a letter) then `R1`, tested without moving: Snowball's `('t' R1)` inside `not`.
        mutating func letterThenR1(_ letters: String) -> Bool {
            let start = buffer.cursor
            defer { buffer.cursor = start }
            return buffer.equalsBackward(SnowballBuffer.scalars(letters)) && r1
        }

        /// `test (letters R1 C)`.
        mutating func testLettersR1C(_ letters: String) -> Bool {
            let start = buffer.cursor
            defer { buffer.cursor = start }
            return buffer.equalsBackward(SnowballBuffer.scalars(letters)) && r1 && testC()
        }

        // MARK: - lengthen_V

        static let lengthenStrings = list([
            "a", "ä", "á", "à", "â", "o", "ö", "ó", "ò", "ô", "u", "ü", "ú", "ù", "û", "e", "é", "è", "ê", "eë", "ië",
        ])

        /// Doubles the vowel of a closed last syllable whose consonant was freed ("lop" → "loop").
        mutating func lengthenV() {
            keepingCursor { run in
                guard run.buffer.outGroupingBackward(SnowballDutch.vowelWX) else { return }
                run.buffer.ket = run.buffer.cursor
                guard let found = run.buffer.amongBackward(Self.lengthenStrings) else { return }
                run.buffer.bra = run.buffer.cursor
                switch found {
                case 0..<15:
                    guard run.nonAEIOUOrAtLimit(restoring: true) else { return }
                    run.insertSlice()
                case 15..<19:
                    let start = run.buffer.limit - run.buffer.cursor
                    guard run.nonAEIOUOrAtLimit(restoring: false) else { return }
                    // not (AIOU or (E atlimit))
                    let here = run.buffer.cursor
                    if run.buffer.inGroupingBackward(SnowballDutch.aiou) { return }
                    run.buffer.cursor = here
                    if run.buffer.inGroupingBackward(SnowballDutch.letterE), run.buffer.atLimitBackward { return }
                    run.buffer.cursor = here
                    // not (next AIOU non-AEIOU)
                    if run.buffer.cursor > run.buffer.limitBackward {
                        run.buffer.cursor -= 1
                        if run.buffer.inGroupingBackward(SnowballDutch.aiou), run.buffer.outGroupingBackward(SnowballDutch.aeiou) {
                            return
                        }
                    }
                    run.buffer.cursor = run.buffer.limit - start
                    run.insertSlice()
                case 19: run.buffer.sliceFrom(SnowballBuffer.scalars("eëe"))
                default: run.buffer.sliceFrom(SnowballBuffer.scalars("iee"))
                }
            }
        }

        /// `non-AEIOU or atlimit` before the cursor; with `restoring`, tested without moving.
        mutating func nonAEIOUOrAtLimit(restoring: Bool) -> Bool {
            let start = buffer.cursor
            let passed = buffer.outGroupingBackward(SnowballDutch.aeiou) || buffer.atLimitBackward
            if restoring || !passed { buffer.cursor = start }
            return passed
        }

        /// `->ch insert ch`: the slice once more, at the cursor, which stays before it.
        mutating func insertSlice() {
            let letters = buffer.slice
            let at = buffer.cursor
            buffer.insert(at, at, letters)
            buffer.cursor = at
        }

        /// Snowball's `attach`: inserts at the cursor, which ends up after the letters.
        mutating func attach(_ letters: String) {
            buffer.insert(buffer.cursor, buffer.cursor, SnowballBuffer.scalars(letters))
        }

        // MARK: - The steps (backward)

        static let step1Strings = list(["'s", "s", "ies", "es", "és", "aus", "en", "nde"])

        mutating func step1() -> Bool {
            buffer.ket = buffer.cursor
            guard let found = buffer.amongBackward(Self.step1Strings) else { return false }
            buffer.bra = buffer.cursor
            switch found {
            case 0: buffer.sliceDelete()
            case 1:
                guard r1, !letterThenR1("t"), testC() else { return false }
                buffer.sliceDelete()
            case 2:
                guard r1 else { return false }
                replaceSlice("ie")
            case 3:
                if testLettersR1C("ar") {
                    buffer.sliceDelete()
                    lengthenV()
                    return true
                }
                if testLettersR1C("er") {
                    buffer.sliceDelete()
                    return true
                }
                guard r1, testC() else { return false }
                replaceSlice("e")
            case 4:
                guard r1 else { return false }
                replaceSlice("é")
            case 5:
                guard r1, testV() else { return false }
                replaceSlice("au")
            case 6: return step1En()
            default: replaceSlice("nd")
            }
            return true
        }

        /// Step 1's `en`: `('hed' R1 ] <-'heid') or ('nd' delete) or ('d' R1 C ] delete) or
        /// ('i' or 'j' V delete) or (R1 C delete lengthen_V)`.
        mutating func step1En() -> Bool {
            let start = buffer.cursor
            if buffer.equalsBackward(SnowballBuffer.scalars("hed")), r1 {
                buffer.bra = buffer.cursor
                replaceSlice("heid")
                return true
            }
            buffer.cursor = start
            if buffer.equalsBackward(SnowballBuffer.scalars("nd")) {
                buffer.sliceDelete()
                return true
            }
            buffer.cursor = start
            if buffer.equalsBackward(SnowballBuffer.scalars("d")), r1, testC() {
                buffer.bra = buffer.cursor
                buffer.sliceDelete()
                return true
            }
            buffer.cursor = start
            let iOrJ: Bool = {
                if buffer.equalsBackward(SnowballBuffer.scalars("i")) { return true }
                buffer.cursor = start
                return buffer.equalsBackward(SnowballBuffer.scalars("j"))
            }()
            if iOrJ, testV() {
                buffer.sliceDelete()
                return true
            }
            buffer.cursor = start
            guard r1, testC() else { return false }
            buffer.sliceDelete()
            lengthenV()
            return true
        }

        static let step2Strings = list(["je", "ge", "lijke", "ische", "de", "te", "se", "re", "le", "ene", "ieve"])

        mutating func step2() -> Bool {
            buffer.ket = buffer.cursor
            guard let found = buffer.amongBackward(Self.step2Strings) else { return false }
            buffer.bra = buffer.cursor
            switch found {
            case 0: return step2Je()
            case 1:
                guard r1 else { return false }
                replaceSlice("g")
            case 2:
                guard r1 else { return false }
                replaceSlice("lijk")
            case 3:
                guard r1 else { return false }
                replaceSlice("isch")
            case 4:
                guard r1, testC() else { return false }
                buffer.sliceDelete()
            case 5:
                guard r1 else { return false }
                replaceSlice("t")
            case 6:
                guard r1 else { return false }
                replaceSlice("s")
            case 7:
                guard r1 else { return false }
                replaceSlice("r")
            case 8:
                guard r1 else { return false }
                buffer.sliceDelete()
                attach("l")
                lengthenV()
            case 9:
                guard r1, testC() else { return false }
                buffer.sliceDelete()
                attach("en")
                lengthenV()
            default:
                guard r1, testC() else { return false }
                replaceSlice("ief")
            }
            return true
        }

        /// Step 2's `je`, each alternative from the same place: the `]` after a letter group moves
        /// the slice's start to before it.
        mutating func step2Je() -> Bool {
            let start = buffer.cursor
            func after(_ letters: String) -> Bool {
                buffer.cursor = start
                guard buffer.equalsBackward(SnowballBuffer.scalars(letters)) else { return false }
                buffer.bra = buffer.cursor
                return true
            }
            if after("'t") {
                buffer.sliceDelete()
                return true
            }
            if after("et"), r1, testC() {
                buffer.sliceDelete()
                return true
            }
            if after("rnt") {
                replaceSlice("rn")
                return true
            }
            if after("t"), r1, testVX() {
                buffer.sliceDelete()
                return true
            }
            if after("ink") {
                replaceSlice("ing")
                return true
            }
            if after("mp") {
                replaceSlice("m")
                return true
            }
            if after("'"), r1 {
                buffer.sliceDelete()
                return true
            }
            buffer.cursor = start
            buffer.bra = start
            guard r1, testC() else { return false }
            buffer.sliceDelete()
            return true
        }

        static let step3Strings = list([
            "atie", "iteit", "heid", "sel", "ster", "rder", "ing", "isme", "erij", "arij", "fie", "gie", "tst", "dst",
        ])

        mutating func step3() -> Bool {
            buffer.ket = buffer.cursor
            guard let found = buffer.amongBackward(Self.step3Strings) else { return false }
            buffer.bra = buffer.cursor
            switch found {
            case 0:
                guard r1 else { return false }
                replaceSlice("eer")
            case 1:
                guard r1 else { return false }
                buffer.sliceDelete()
                lengthenV()
            case 2, 3, 4:
                guard r1 else { return false }
                buffer.sliceDelete()
            case 5: replaceSlice("r")
            case 6, 7, 8:
                let start = buffer.cursor
                if buffer.equalsBackward(SnowballBuffer.scalars("ild")) {
                    buffer.cursor = start
                    replaceSlice("er")
                    return true
                }
                buffer.cursor = start
                guard r1 else { return false }
                buffer.sliceDelete()
                lengthenV()
            case 9:
                guard r1, testC() else { return false }
                replaceSlice("aar")
            case 10:
                guard r2 else { return false }
                buffer.sliceDelete()
                attach("f")
                lengthenV()
            case 11:
                guard r2 else { return false }
                buffer.sliceDelete()
                attach("g")
                lengthenV()
            case 12:
                guard r1, testC() else { return false }
                replaceSlice("t")
            default:
                guard r1, testC() else { return false }
                replaceSlice("d")
            }
            return true
        }

        static let step4Strings = list([
            "ioneel", "atief", "baar", "naar", "laar", "raar", "tant", "lijker", "lijkst", "achtig", "achtiger", "achtigst",
            "eriger", "erigst", "erig", "end",
        ])
        static let step4IgStrings = list(["iger", "igst", "ig"])

        mutating func step4() -> Bool {
            let start = buffer.limit - buffer.cursor
            if step4Main() { return true }
            buffer.cursor = buffer.limit - start
            buffer.ket = buffer.cursor
            guard buffer.amongBackward(Self.step4IgStrings) != nil else { return false }
            buffer.bra = buffer.cursor
            guard r1 else { return false }
            // not ('inn' atlimit)
            let here = buffer.cursor
            if buffer.equalsBackward(SnowballBuffer.scalars("inn")), buffer.atLimitBackward { return false }
            buffer.cursor = here
            guard testC() else { return false }
            buffer.sliceDelete()
            lengthenV()
            return true
        }

        mutating func step4Main() -> Bool {
            buffer.ket = buffer.cursor
            guard let found = buffer.amongBackward(Self.step4Strings) else { return false }
            buffer.bra = buffer.cursor
            switch found {
            case 0:
                guard r1 else { return false }
                replaceSlice("ie")
            case 1:
                guard r1 else { return false }
                replaceSlice("eer")
            case 2:
                guard r1 else { return false }
                buffer.sliceDelete()
            case 3:
                guard r1, testV() else { return false }
                replaceSlice("n")
            case 4:
                guard r1, testV() else { return false }
                replaceSlice("l")
            case 5:
                guard r1, testV() else { return false }
                replaceSlice("r")
            case 6:
                guard r1 else { return false }
                replaceSlice("teer")
            case 7, 8:
                guard r1 else { return false }
                replaceSlice("lijk")
            case 9, 10, 11:
                guard r1 else { return false }
                buffer.sliceDelete()
            default:
                guard r1, testC() else { return false }
                buffer.sliceDelete()
                lengthenV()
            }
            return true
        }

        static let step7Strings = list(["kt", "ft", "pt"])

        mutating func step7() -> Bool {
            buffer.ket = buffer.cursor
            guard let found = buffer.amongBackward(Self.step7Strings) else { return false }
            buffer.bra = buffer.cursor
            replaceSlice(["k", "f", "p"][found])
            return true
        }

        static let step6Doubles = "bcdfghjklmnpqrstvwxz".map { String([$0, $0]) }
        static let step6Strings = list(step6Doubles + ["v", "z"])

        mutating func step6() -> Bool {
            buffer.ket = buffer.cursor
            guard let found = buffer.amongBackward(Self.step6Strings) else { return false }
            buffer.bra = buffer.cursor
            let doubles = Self.step6Doubles
            if found < doubles.count {
                let letter = String(doubles[found].prefix(1))
                if letter == "n" {
                    // not ('i' atlimit)
                    let here = buffer.cursor
                    if buffer.equalsBackward(SnowballBuffer.scalars("i")), buffer.atLimitBackward { return false }
                    buffer.cursor = here
                }
                replaceSlice(letter)
            } else {
                replaceSlice(found == doubles.count ? "f" : "s")
            }
            return true
        }

        static let step1cStrings = list(["d", "t"])

        mutating func step1c() -> Bool {
            buffer.ket = buffer.cursor
            guard let found = buffer.amongBackward(Self.step1cStrings) else { return false }
            buffer.bra = buffer.cursor
            guard r1, testC() else { return false }
            if found == 0 {
                // not ('n' R1)
                if letterThenR1("n") { return false }
                let here = buffer.cursor
                if buffer.equalsBackward(SnowballBuffer.scalars("in")), buffer.atLimitBackward {
                    replaceSlice("n")
                    return true
                }
                buffer.cursor = here
                buffer.sliceDelete()
            } else {
                if letterThenR1("h") { return false }
                // not ('en' atlimit)
                let here = buffer.cursor
                if buffer.equalsBackward(SnowballBuffer.scalars("en")), buffer.atLimitBackward { return false }
                buffer.cursor = here
                buffer.sliceDelete()
            }
            return true
        }

        // MARK: - Prefixes and infixes (forward)

        /// `('ij' or v)` at the cursor, which moves over it.
        mutating func vowelOrIJ() -> Bool {
            let start = buffer.cursor
            if buffer.equals(SnowballDutch.ij) { return true }
            buffer.cursor = start
            return buffer.inGrouping(SnowballDutch.vowel)
        }

        /// `test hop 3 test (gopast ('ij' or v) repeat ('ij' or v) not atlimit)`.
        mutating func leavesASyllable() -> Bool {
            let start = buffer.cursor
            defer { buffer.cursor = start }
            guard buffer.cursor + 3 <= buffer.limit else { return false }
            while true {
                let here = buffer.cursor
                if vowelOrIJ() { break }
                buffer.cursor = here
                guard buffer.cursor < buffer.limit else { return false }
                buffer.cursor += 1
            }
            while true {
                let here = buffer.cursor
                if !vowelOrIJ() {
                    buffer.cursor = here
                    break
                }
            }
            return !buffer.atLimit
        }

        static let prefixExceptions = list(["eft", "val", "vali", "vaa", "vare", ""])
        static let diaeresis = list(["ë", "ï"])

        /// After "ge" is cut: a word that now starts with "ë" or "ï" loses the diaeresis.
        mutating func dropDiaeresis() {
            let start = buffer.cursor
            buffer.bra = buffer.cursor
            if let found = buffer.among(Self.diaeresis) {
                buffer.ket = buffer.cursor
                replaceSlice(found == 0 ? "e" : "i")
            }
            buffer.cursor = start
        }

        mutating func losePrefix() -> Bool {
            buffer.bra = buffer.cursor
            guard buffer.equals(SnowballBuffer.scalars("ge")) else { return false }
            buffer.ket = buffer.cursor
            guard leavesASyllable() else { return false }
            guard let found = buffer.among(Self.prefixExceptions), found == 2 || found == 5 else { return false }
            geRemoved = true
            buffer.sliceDelete()
            dropDiaeresis()
            return true
        }

        mutating func loseInfix() -> Bool {
            guard buffer.cursor < buffer.limit else { return false }
            buffer.cursor += 1
            while true {
                buffer.bra = buffer.cursor
                if buffer.equals(SnowballBuffer.scalars("ge")) {
                    buffer.ket = buffer.cursor
                    break
                }
                guard buffer.cursor < buffer.limit else { return false }
                buffer.cursor += 1
            }
            guard leavesASyllable() else { return false }
            geRemoved = true
            buffer.sliceDelete()
            dropDiaeresis()
            return true
        }

        /// R1 and R2: after the first and the second vowel-consonant pair ("ij" counts as a vowel).
        mutating func measure() {
            p1 = buffer.limit
            p2 = buffer.limit
            let start = buffer.cursor
            defer { buffer.cursor = start }
            func region() -> Int? {
                while buffer.outGrouping(SnowballDutch.vowel) {}
                var vowels = 0
                while true {
                    let here = buffer.cursor
                    if vowelOrIJ() {
                        vowels += 1
                    } else {
                        buffer.cursor = here
                        break
                    }
                }
                guard vowels > 0, buffer.outGrouping(SnowballDutch.vowel) else { return nil }
                return buffer.cursor
            }
            guard let first = region() else { return }
            p1 = first
            guard let second = region() else { return }
            p2 = second
        }

        // MARK: - The whole

        mutating func backwards(_ body: (inout Run) -> Void) {
            buffer.limitBackward = buffer.cursor
            buffer.cursor = buffer.limit
            body(&self)
            buffer.cursor = buffer.limitBackward
        }

        mutating func stem() {
            var stemmed = false
            measure()
            backwards { run in
                run.keepingCursor { run in if run.step1() { stemmed = true } }
                run.keepingCursor { run in if run.step2() { stemmed = true } }
                run.keepingCursor { run in if run.step3() { stemmed = true } }
                run.keepingCursor { run in if run.step4() { stemmed = true } }
            }
            for infix in [false, true] {
                geRemoved = false
                let start = buffer.cursor
                if infix ? loseInfix() : losePrefix() {
                    buffer.cursor = start
                    measure()
                }
                buffer.cursor = start
                backwards { run in
                    run.keepingCursor { run in
                        guard run.geRemoved else { return }
                        stemmed = true
                        _ = run.step1c()
                    }
                }
            }
            backwards { run in
                run.keepingCursor { run in if run.step7() { stemmed = true } }
                run.keepingCursor { run in if stemmed { _ = run.step6() } }
            }
        }
    }
}
