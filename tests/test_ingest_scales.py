import pandas as pd
import pytest

from draftbook.ingest.scales import custom_scale, get_scale, register_scale, scale_names


@pytest.mark.parametrize(
    ("label", "score"),
    [
        ("Pas du tout d'accord", 1), ("plutot pas d’accord", 2), ("Neutre", 3), ("PLUTÔT D'ACCORD", 4),
        ("Tout à fait d'accord", 5), ("Sans avis", None), ("Ne sait pas", None), ("", None),
        ("Strongly disagree", 1), ("Somewhat disagree", 2), ("Neither agree nor disagree", 3), ("Agree", 4),
        ("Strongly agree", 5), ("Don't know", None),
        ("Totalmente en desacuerdo", 1), ("En desacuerdo", 2), ("Ni de acuerdo ni en desacuerdo", 3),
        ("De acuerdo", 4), ("Totalmente de acuerdo", 5), ("Sin opinion", None), ("No sabe", None),
        ("1", 1), ("5", 5), ("4.0", 4),
    ],
)  # fmt: skip
def test_agreement_5_in_three_languages(label: str, score: int | None) -> None:
    assert get_scale("agreement-5").lookup(label) == score


@pytest.mark.parametrize("label", ["Peut-être", "6", "0", "Agree!", "=1+1"])
def test_labels_off_the_scale_are_refused(label: str) -> None:
    with pytest.raises(KeyError):
        get_scale("agreement-5").lookup(label)


def test_score_column_is_vectorised_and_flags_unknown_labels() -> None:
    scores, unknown = get_scale("agreement-5").score_column(pd.Series(["Agree", "Maybe", "", "5"]))
    assert scores.tolist()[0] == 4 and scores.tolist()[3] == 5
    assert pd.isna(scores[2])
    assert unknown.tolist() == [False, True, False, False]


def test_custom_and_registered_scales() -> None:
    custom = custom_scale({"Oui": 5, "Non": 1, "Je ne sais pas": None})
    assert custom.lookup("oui") == 5 and custom.lookup("je ne sais pas") is None
    register_scale("yes-no-test", {"Yes": 5, "No": 1})
    assert "yes-no-test" in scale_names()
    assert get_scale("yes-no-test").lookup("YES") == 5
