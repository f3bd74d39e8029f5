#!/usr/bin/env python3
"""Reference stems for SnowballDutchTests and SnowballEnglishTests: every word of the knowledge
base in that language and the guide, with its stem from PyPI's snowballstemmer (3.1.1, stemmer
'dutch' or 'english'). Run it again after the knowledge base changes:
    pip install snowballstemmer==3.1.1
    python3 scripts/snowball-reference.py dutch > Tests/VertrouwdCoreTests/Fixtures/snowball-dutch.tsv
    python3 scripts/snowball-reference.py english > Tests/VertrouwdCoreTests/Fixtures/snowball-english.tsv
"""
import pathlib
import re
import sys
import unicodedata

import snowballstemmer

language = sys.argv[1] if len(sys.argv) > 1 else "dutch"
folder = {"dutch": "nl", "english": "en"}[language]
root = pathlib.Path(__file__).resolve().parent.parent
texts = [p.read_text(encoding="utf-8") for p in sorted((root / "Resources/KnowledgeBase" / folder).glob("*.md"))]
texts.append((root / "Resources/Guide/guide.json").read_text(encoding="utf-8"))
words = set()
for text in texts:
    for word in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text).lower()):
        words.add(word)
# Words that take the algorithm's exceptions and rarer paths, beside the knowledge base's own.
extra = {"dutch": """gepest geïnd geëerd geënt innig innen ingeval geval gevallen gevalideerd geeft geeffende gevaren gevaarten
schilderij schilderijen beroepsgeheim pestgedrag getreiter treiteren handtastelijk discrimineren gediscrimineerd
intimiderend klokkenluider leidinggevende vertrouwenspersoon ideeën knieën kopjes biertje mannetje filmpje
koninkje lampje baantje kindertje lieverdjes nationaal functioneel creatief draagbaar bewonderaar vriendelijker
vriendelijkst zenuwachtig zenuwachtiger geweldig geweldiger allerergst fotografie biologie geeuwen zeeën
gezien begeleiden ongelukken kaas kazen lopen loop liepen""", "english": """skis skies idly gently ugly early only
singly sky news howe atlas cosmos bias andes dying lying tying vying inning outing canning herring earring evening
proceed exceed succeed agreed feed bled hopping hoping filed fitted hopped controlled rolling luxuriating
generate general generous communication community arsenal paste pasted pasting universe university later
emerge emergency organic international yelling sayings youth crying cried cries ties tied gas gases caress
caresses pony ponies kittens relational conditional rational valenci hesitanci digitizer conformabli radicalli
differentli vileli analogousli vietnamization predication operator feudalism decisiveness hopefulness
callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful
goodness revival allowance inference airliner gyroscopic adjustable defensible irritant replacement adjustment
dependent adoption homologou communism activate angulariti homologous effective bowdlerize probate rate cease
controll roll bully bullied bullying harassed harassment reporting reported whistleblower""" }[language]
words.update(extra.split())
stemmer = snowballstemmer.stemmer(language)
for word in sorted(words):
    print(f"{word}\t{stemmer.stemWord(word)}")
