"""The scheme carries its own words (issue 25, item 2): under another codebook no page,
figure, takeaway, embed, table file, picture or slide deck speaks of the IoME review.

Each scheme runs in its own process (the codebook is chosen per process); the texts come
from tests/unit/scheme_texts.py. A scheme written here has flows and partnerships of its
own, so the flow and partnership views, their titles, takeaways and slides are drawn in
its words; the bundled examples have none, and those views are hidden.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from evidence import PROJECT_ROOT
from evidence.codebook import load_codebook
from evidence.schemes import BUNDLED

EXAMPLES = PROJECT_ROOT / "data" / "examples"
PEER_DATA = PROJECT_ROOT.parent / "shared" / "reference" / "peer-data"
# Words only the IoME scheme and review use (case-sensitive: a journal's title in the data,
# "Medical Education", is the data's own).
IOME_WORDS = ("IoME", "iome-", "medical education", "Medical education", "Wu et al", "Med Sci Educ",
              "nternationali", "student", "Student", "Mobility", "mobility flows",
              "Who sends", "Hanson", "Global standards")  # fmt: skip

SCHEME = """\
name: Surgical training partnerships
title: Surgical Training Map
source:
  citation: "Test scheme of surgical training partnerships (written in the test)."
words:
  movers: trainees
  flows_title: Where surgical trainees rotate
  flow_noun: trainee rotations
  keywords: [surgical training, partnerships, test scheme]
dimensions:
  activity:
    role: format
    label: Activity
    plural: Activities
    groups:
      rotation:
        label: Trainee rotations
        colour: "#0072B2"
        codes:
          outgoing: {label: Outgoing rotation, definition: Trainees go abroad.}
          incoming: {label: Incoming rotation, definition: Trainees come from abroad.}
      twinning:
        label: Hospital twinning
        colour: "#D55E00"
        codes:
          paired: {label: Paired hospitals, definition: Two hospitals twinned.}
  aim:
    role: motivation
    label: Aim
    plural: Aims
    groups:
      capacity:
        label: Surgical capacity
        colour: "#009E73"
        codes:
          workforce: {label: Workforce, definition: More surgeons.}
      service:
        label: Service delivery
        colour: "#E69F00"
        codes:
          operations: {label: Operations, definition: More operations done.}
flow_groups:
  mobility: rotation
  partnership: twinning
"""
RUBRIC = """\
default: not_assessed
rules:
  - {motivation: capacity, format: rotation, status: aligned, rationale: Training builds capacity.}
  - {motivation: service, format: rotation.outgoing, status: tension, rationale: Visitors operate.}
"""
DATA = """\
id,title,year,author_countries,setting_countries,activities,aims,mobility_flows,partnerships
s1,Rotations to Kampala,2015,USA,UGA,rotation.outgoing,capacity.workforce,USA>UGA,
s2,Twinning in Moshi,2016,NOR;TZA,TZA,twinning.paired,service.operations,,NOR+TZA
s3,Visiting teams,2018,GBR,MWI,rotation.outgoing;twinning.paired,service.operations,GBR>MWI,GBR+MWI
s4,Incoming fellows,2019,ZAF,ZAF,rotation.incoming,capacity.workforce,KEN>ZAF,
"""


def scheme_texts(codebook, data, images: bool = False, columns=None, upload="") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IOME_")}
    if codebook:
        env["IOME_CODEBOOK"] = str(codebook)
    if columns:
        env["IOME_COLUMNS"] = str(columns)
    args = [sys.executable, "-m", "tests.unit.scheme_texts", str(data)]
    args += ["--images"] if images else []
    args += ["--upload", upload] if upload else []
    done = subprocess.run(args, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                          timeout=240)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


# The upload dialog's list of schemes to read a file under names every bundled scheme,
# IoME's too, by design (issue 25, item 2): those names are a choice, not the page's words.
CHOOSER = re.compile(
    "|".join([r"This site's scheme \([^)]*\)", *(re.escape(v[0]) for v in BUNDLED.values())])
)


def leaks(texts: dict) -> list[str]:
    found = []
    for where, text in texts.items():
        text = CHOOSER.sub("", str(text))
        for word in IOME_WORDS:
            at = str(text).find(word)
            if at >= 0:
                found.append(f"{where}: {word!r} in ...{str(text)[max(0, at - 60) : at + 40]}...")
    return found


def test_a_scheme_written_here_speaks_its_own_words_everywhere(tmp_path):
    (tmp_path / "codebook.yaml").write_text(SCHEME, encoding="utf-8")
    (tmp_path / "alignment_rubric.yaml").write_text(RUBRIC, encoding="utf-8")
    (tmp_path / "articles.csv").write_text(textwrap.dedent(DATA), encoding="utf-8")
    texts = scheme_texts(tmp_path / "codebook.yaml", tmp_path / "articles.csv", images=True)
    assert texts["articles"] == 4
    assert leaks(texts) == []
    # its flow and partnership views are shown, in its words
    assert "Where surgical trainees rotate" in texts["layout"]
    assert "embed flows" in texts and "embed partnerships" in texts
    assert "Surgical Training Map" in texts["index"] and "Surgical Training Map" in texts["deck"]
    assert "surgical training; partnerships; test scheme" in texts["deck"]
    assert "trainee rotations" in texts["takeaways"] or "trainees" in texts["takeaways"]
    assert "svg flows" in texts and "Where surgical trainees rotate" in texts["svg flows"]
    assert "surgical-training-partnerships-articles-" in texts["file names"]


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir()))
def test_each_bundled_example_scheme_speaks_its_own_words(example):
    folder = EXAMPLES / example
    data, columns = folder / "articles.csv", None
    if not data.exists():  # the EviAtlas example: its data is not bundled (GPL-3.0)
        data, columns = PEER_DATA / f"{example}-pilotdata.csv", folder / "columns.yaml"
    if not data.exists():
        pytest.skip(f"{example}: its data is not bundled and {data} is absent")
    texts = scheme_texts(folder / "codebook.yaml", data, columns=columns)
    assert texts["articles"] > 0
    assert leaks(texts) == []
    # a view whose flow group the scheme lacks is hidden
    assert "embed flows" not in texts and "embed partnerships" not in texts


@pytest.mark.parametrize("example", ["faculty_development", "eviatlas"])
def test_an_upload_under_its_scheme_speaks_its_words_and_the_site_keeps_iome(example):
    """A file uploaded from a browser under a bundled scheme (and its column mapping) to
    the IoME site: its page, figures, embeds, files, pictures and deck speak only its
    scheme; the site's own page, in the same process, still speaks IoME."""
    folder = EXAMPLES / example
    data, upload = folder / "articles.csv", example
    if not data.exists():  # the EviAtlas example: its data is not bundled (GPL-3.0)
        data, upload = PEER_DATA / f"{example}-pilotdata.csv", f"{example}:{example}"
    if not data.exists():
        pytest.skip(f"{example}: its data is not bundled and {data} is absent")
    texts = scheme_texts(None, data, images=True, upload=upload)
    site = texts.pop("site index")
    answer = json.loads(texts.pop("upload"))
    # "iome-map" is the program's own name (its command), the same under every scheme
    assert leaks({k: str(v).replace("iome-map ", "") for k, v in texts.items()}) == []
    assert "Medical Education" not in texts[f"/upload/template.csv?scheme={example}"]
    title = load_codebook(folder / "codebook.yaml").title
    assert f"<title>{title}</title>" in texts["index"]
    assert "<title>IoME" in site and title not in site
    expected = len(pd.read_csv(data, encoding="mac_roman" if upload != example else "utf-8"))
    assert texts["articles"] == answer["articles"] == expected
    assert "embed flows" not in texts and "embed partnerships" not in texts
