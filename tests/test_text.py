import pandas as pd

from draftbook.text import fold, redact, redact_name


def test_fold_ignores_case_accents_apostrophes_and_spaces() -> None:
    assert fold("  Plutôt  D’accord ") == "plutot d'accord"
    assert fold("SIN OPINIÓN") == "sin opinion"
    assert fold("Œuvre") == "œuvre"


def test_redact_removes_emails_phones_and_addresses() -> None:
    text = pd.Series(
        [
            "Écrivez à ana.kolo@vesuno.example ou au +33 6 12 34 56 78.",
            "Server 192.168.10.4 and fe80:0:0:0:1ff:fe23:4567:890a",
            "Nous voulons 30 % du budget en 2030.",
        ]
    )
    out = redact(text).tolist()
    assert out[0] == "Écrivez à [e-mail removed] ou au [phone removed]."
    assert "192.168" not in out[1] and "fe80" not in out[1]
    assert out[2] == "Nous voulons 30 % du budget en 2030."  # numbers that are not phones stay


def test_redact_name_removes_the_writers_own_name() -> None:
    assert (
        redact_name("Ama Kolo pense que Kolo a raison", "Ama Kolo")
        == "[name removed] pense que [name removed] a raison"
    )
    assert redact_name("Rien à signaler", "") == "Rien à signaler"
