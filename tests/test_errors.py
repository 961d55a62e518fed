from pathlib import Path

from draftbook.model.errors import BuildError, DataFileError, DraftbookError


def test_data_error_names_file_row_column_key_and_hint() -> None:
    error = DataFileError(
        "not on the scale", file=Path("data/x.csv"), row=4, column="Q3", key="ratings", hint="fix the label"
    )
    assert isinstance(error, DraftbookError)
    assert str(error) == 'data/x.csv, row 4, column "Q3", key "ratings": not on the scale\n  -> fix the label'
    assert (error.file, error.row, error.column) == ("data/x.csv", 4, "Q3")


def test_error_without_location_is_just_the_reason() -> None:
    assert str(DraftbookError("something is wrong")) == "something is wrong"


def test_build_error_names_notebook_round_and_cell() -> None:
    error = BuildError("ValueError: boom", notebook="notebooks/support.ipynb", round_id="r1", cell=5)
    assert str(error) == "notebook notebooks/support.ipynb, round r1, cell 5: ValueError: boom"


def test_errors_pickle_with_every_field() -> None:
    """They cross process boundaries whole (the build's workers raise them in another process)."""
    import pickle

    from draftbook.analysis.weighing import NotAssessedError
    from draftbook.ingest.core import NothingAcceptedError

    errors = [
        BuildError(
            "ValueError: boom", notebook="n.ipynb", round_id="r1", cell=5, output=Path("_build/f.ipynb"), hint="h"
        ),
        DataFileError("bad", file=Path("a.csv"), row=3, column="Q", key="k", hint="fix"),
        NothingAcceptedError("none", file="e.csv"),
        NotAssessedError("not yet", hint="write it"),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and copy.__dict__ == error.__dict__ and str(copy) == str(error)
        assert isinstance(copy, DraftbookError)


def test_a_failed_notebook_reaches_the_build_whole_from_a_worker(tmp_path: Path) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        job = pool.submit(_raise_build_error)
        error = job.exception()
    assert isinstance(error, BuildError)
    assert (error.notebook, error.round_id, error.cell, error.output) == ("n.ipynb", "r2", 7, Path("k.ipynb"))


def _raise_build_error() -> None:
    raise BuildError("KeyError: 'x'", notebook="n.ipynb", round_id="r2", cell=7, output=Path("k.ipynb"))
