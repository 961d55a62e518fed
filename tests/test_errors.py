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
