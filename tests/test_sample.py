import re

import numpy as np

from draftbook.paths import Workbook
from draftbook.rounds import load_rounds, read_table
from draftbook.sample import person_pool, pseudonym, write_sample
from tests.conftest import REPO

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def test_regenerating_gives_the_shipped_tables_byte_for_byte(workbook: Workbook) -> None:
    written = write_sample(workbook)
    assert len(written) == 9
    for relative in written:
        assert (workbook.root / relative).read_bytes() == (REPO / relative).read_bytes(), relative


def test_sample_is_shaped_like_the_2022_process(workbook: Workbook) -> None:
    rounds = {r.id: r for r in load_rounds(workbook)}
    counts = {rid: len(read_table(r, "respondents")) for rid, r in rounds.items()}
    assert 30 <= counts["2022-02-gtf-debate"] <= 50
    assert counts["2022-05-written-feedback"] >= 200
    regional = read_table(rounds["2022-04-regional-sessions"], "respondents")
    assert regional["source"].nunique() >= 3
    written = read_table(rounds["2022-05-written-feedback"], "respondents")
    assert set(written["language"]) == {"fr", "en", "es"}
    shares = written["region"].value_counts(normalize=True)
    assert shares.max() > 2 * shares.min()  # participation is unequal on purpose
    ratings = read_table(rounds["2022-05-written-feedback"], "ratings")
    assert ratings["score"].isna().mean() > 0.02  # some no-opinion answers
    spread = ratings.dropna().groupby("call")["score"].std()
    assert spread.max() > spread.min() * 1.2  # some calls divide more than others


def test_tidy_tables_hold_no_personal_data(workbook: Workbook) -> None:
    for round_ in load_rounds(workbook):
        for name in ("respondents", "ratings", "comments"):
            text = round_.table_path(name).read_text(encoding="utf-8")
            assert not EMAIL.search(text)
            header = text.splitlines()[0]
            assert not {"name", "email", "phone", "ip"} & set(header.split(","))


def test_pool_is_seeded_and_pseudonyms_stable() -> None:
    first = person_pool(np.random.default_rng(1), size=20)
    second = person_pool(np.random.default_rng(1), size=20)
    assert first.equals(second)
    assert pseudonym(3) == pseudonym(3) != pseudonym(4)
