from draftbook.vocabulary import label


def test_labels_in_three_languages_with_fallbacks() -> None:
    assert label("region", "latin-america", "es") == "América Latina"
    assert label("constituency", "partner", "en").startswith("Partner")
    assert label("language", "es", "fr") == "espagnol"
    assert label("region", "africa", "de") == "Afrique"
    assert label("source", "online-form", "fr") == "online-form"
