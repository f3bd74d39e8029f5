/// Words in a search (or a guide answer) that say a life may be in danger: then 113 or 112 comes
/// before any article. Matched on whole words of the folded text, so "gevaarlijke stoffen" does not
/// set it off and "ik wil er niet meer zijn" does. It errs towards showing the numbers: a calm box
/// too many costs little, one too few can cost a life.
public enum DangerSignal: String, Sendable, Codable {
    /// Thoughts of suicide or self-harm: 113 Zelfmoordpreventie.
    case suicide
    /// Violence now or just now, or a threat of it: 112.
    case violence

    /// The article these lead to.
    public static let article = "noodgeval"

    /// Both languages' phrases, whatever the reader's language: people write in either.
    public static func detect(_ text: String) -> DangerSignal? {
        let words = " " + Tokenizer.fold(text).split(whereSeparator: { !($0.isLetter || $0.isNumber) }).joined(separator: " ") + " "
        func any(_ phrases: [String]) -> Bool { phrases.contains { words.contains(" \($0) ") } }
        if any(suicidePhrases) { return .suicide }
        if any(violencePhrases) { return .violence }
        return nil
    }

    static let suicidePhrases = [
        "zelfmoord", "zelfdoding", "suicide", "suicidaal", "levensmoe", "niet meer leven", "niet meer zijn", "wil dood", "wil ik dood",
        "dood willen", "dood wil", "eind aan maken", "einde aan maken", "einde aan mijn leven", "mezelf iets aandoen",
        "mijzelf iets aandoen", "mezelf pijn doen", "het niet meer zitten", "zie geen uitweg", "113",
        "suicidal", "kill myself", "killing myself", "want to die", "wanna die", "end my life", "ending my life", "end it all",
        "ending it all", "better off dead", "no reason to live", "hurt myself", "harm myself", "self harm",
    ]

    static let violencePhrases = [
        "in gevaar", "levensgevaar", "mes", "wapen", "pistool", "vermoorden", "vermoord", "doodmaken", "dood maken",
        "verkracht", "verkrachting", "aangerand", "aanranding", "slaat me", "sloeg me", "slaat mij", "sloeg mij", "mishandeld",
        "bedreigt me nu", "112",
        "in danger", "knife", "gun", "weapon", "going to kill", "kill me", "raped", "rape", "sexually assaulted", "assaulted me",
        "attacked me", "hit me", "beat me", "beating me", "right now",
    ]
}
