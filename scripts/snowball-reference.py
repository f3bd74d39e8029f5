#!/usr/bin/env python3
"""Reference stems for SnowballDutchTests: every word of the Dutch knowledge base and the guide,
with its stem from PyPI's snowballstemmer (3.1.1, stemmer 'dutch'). Run it again after the
knowledge base changes:
    pip install snowballstemmer==3.1.1
    python3 scripts/snowball-reference.py > Tests/VertrouwdCoreTests/Fixtures/snowball-dutch.tsv
"""
import pathlib
import re
import unicodedata

import snowballstemmer

root = pathlib.Path(__file__).resolve().parent.parent
texts = [p.read_text(encoding="utf-8") for p in sorted((root / "Resources/KnowledgeBase/nl").glob("*.md"))]
texts.append((root / "Resources/Guide/guide.json").read_text(encoding="utf-8"))
words = set()
for text in texts:
    for word in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text).lower()):
        words.add(word)
# Words that take the algorithm's exceptions and rarer paths, beside the knowledge base's own.
words.update("""gepest geïnd geëerd geënt innig innen ingeval geval gevallen gevalideerd geeft geeffende gevaren gevaarten
schilderij schilderijen beroepsgeheim pestgedrag getreiter treiteren handtastelijk discrimineren gediscrimineerd
intimiderend klokkenluider leidinggevende vertrouwenspersoon ideeën knieën kopjes biertje mannetje filmpje
koninkje lampje baantje kindertje lieverdjes nationaal functioneel creatief draagbaar bewonderaar vriendelijker
vriendelijkst zenuwachtig zenuwachtiger geweldig geweldiger allerergst fotografie biologie geeuwen zeeën
gezien begeleiden ongelukken kaas kazen lopen loop liepen""".split())
stemmer = snowballstemmer.stemmer("dutch")
for word in sorted(words):
    print(f"{word}\t{stemmer.stemWord(word)}")
