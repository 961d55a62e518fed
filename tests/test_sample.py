import re

import numpy as np

from draftbook.ingest.sample import person_pool, write_exports, write_sample
from draftbook.model.paths import Workbook
from draftbook.model.rounds import load_rounds, read_table
from tests.conftest import WORKBOOK_FIXTURE

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def test_regenerating_through_ingest_gives_the_shipped_tables_byte_for_byte(workbook: Workbook) -> None:
    written = write_sample(workbook)
    assert len(written) == 9
    for relative in written:
        assert (workbook.root / relative).read_bytes() == (WORKBOOK_FIXTURE / relative).read_bytes(), relative


def test_exports_are_as_varied_as_real_ones(workbook: Workbook) -> None:
    exports = write_exports(workbook)
    by_source = {path.stem: path for _, path, _ in exports}
    assert by_source["africa-session"].suffix == ".xlsx"
    assert by_source["africa-session"].read_bytes()[:2] == b"PK"
    latin = by_source["latin-america-session"].read_bytes()
    latin.decode("cp1252")
    assert b";" in latin.splitlines()[0] and b"\r\n" in latin
    assert by_source["online-form"].read_bytes().startswith(b"\xef\xbb\xbf")
    assert all(mapping.is_file() for _, _, mapping in exports)
    assert all(workbook.private_dir in path.parents for _, path, _ in exports)  # raw exports stay private


def test_sample_is_shaped_like_the_2022_process(workbook: Workbook) -> None:
    rounds = {r.id: r for r in load_rounds(workbook)}
    counts = {rid: len(read_table(r, "respondents")) for rid, r in rounds.items()}
    assert 30 <= counts["2022-02-gtf-debate"] <= 50
    assert counts["2022-05-written-feedback"] >= 200
    regional = read_table(rounds["2022-04-regional-sessions"], "respondents")
    assert regional["source"].nunique() == 4
    written = read_table(rounds["2022-05-written-feedback"], "respondents")
    assert set(written["language"]) == {"fr", "en", "es"}
    shares = written["region"].value_counts(normalize=True)
    assert shares.max() > 2 * shares.min()  # participation is unequal on purpose
    ratings = read_table(rounds["2022-05-written-feedback"], "ratings")
    assert ratings["score"].isna().mean() > 0.02  # some no-opinion answers
    spread = ratings.dropna().groupby("call")["score"].std()
    assert spread.max() > spread.min() * 1.2  # some calls divide more than others
    comments = read_table(rounds["2022-05-written-feedback"], "comments")
    assert set(comments["language"]) == {"fr", "en", "es"}
    assert 0 < comments["publishable"].mean() < 1


def test_the_sample_exercises_quarantine_and_duplicates() -> None:
    import json

    rounds = WORKBOOK_FIXTURE / "data" / "rounds"
    report = json.loads((rounds / "2022-05-written-feedback" / "ingest-report.json").read_text())["online-form"]
    assert report["quarantined"] >= 4 and report["superseded"] >= 5
    regional = json.loads((rounds / "2022-04-regional-sessions" / "ingest-report.json").read_text())
    assert regional["donor-dialogue"]["superseded"] >= 1  # people who came to two sessions count once


def test_tidy_tables_hold_no_personal_data(workbook: Workbook) -> None:
    exports = write_exports(workbook)
    names: set[str] = set()
    pool = person_pool(np.random.default_rng(20220224))
    names |= set(pool["name"]) | set(pool["email"])
    for round_ in load_rounds(workbook):
        for name in ("respondents", "ratings", "comments"):
            text = round_.table_path(name).read_text(encoding="utf-8")
            assert not EMAIL.search(text)
            header = text.splitlines()[0]
            assert not {"name", "email", "phone", "ip"} & set(header.split(","))
            assert not [n for n in names if n in text]
    assert exports


def test_pool_is_seeded_and_invented() -> None:
    first = person_pool(np.random.default_rng(1), size=20)
    assert first.equals(person_pool(np.random.default_rng(1), size=20))
    assert first["email"].str.endswith(".example").all()
