"""The controlled vocabulary of respondents: regions, constituencies, languages.

Tidy tables hold the ids; pages show the label in the page's language.
"""

from __future__ import annotations

REGIONS: dict[str, dict[str, str]] = {
    "africa": {"fr": "Afrique", "en": "Africa", "es": "África"},
    "asia-pacific": {"fr": "Asie-Pacifique", "en": "Asia-Pacific", "es": "Asia-Pacífico"},
    "eurasia": {"fr": "Eurasie", "en": "Eurasia", "es": "Eurasia"},
    "europe": {"fr": "Europe", "en": "Europe", "es": "Europa"},
    "latin-america": {"fr": "Amérique latine", "en": "Latin America", "es": "América Latina"},
    "middle-east-west-asia": {
        "fr": "Moyen-Orient et Asie de l'Ouest",
        "en": "Middle East and West Asia",
        "es": "Oriente Medio y Asia Occidental",
    },
    "north-america": {"fr": "Amérique du Nord", "en": "North America", "es": "América del Norte"},
    "world": {"fr": "Mondial", "en": "Global", "es": "Mundial"},
}

CONSTITUENCIES: dict[str, dict[str, str]] = {
    "local-government": {"fr": "Gouvernement local", "en": "Local government", "es": "Gobierno local"},
    "regional-government": {"fr": "Gouvernement régional", "en": "Regional government", "es": "Gobierno regional"},
    "lg-association": {
        "fr": "Association nationale de GLR",
        "en": "National LRG association",
        "es": "Asociación nacional de GLR",
    },
    "network-section": {"fr": "Section régionale du réseau", "en": "Regional section", "es": "Sección regional"},
    "partner": {
        "fr": "Partenaire (bailleur, recherche, société civile)",
        "en": "Partner (donor, academia, civil society)",
        "es": "Socio (donante, academia, sociedad civil)",
    },
}

LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "fr": {"fr": "français", "en": "French", "es": "francés"},
    "en": {"fr": "anglais", "en": "English", "es": "inglés"},
    "es": {"fr": "espagnol", "en": "Spanish", "es": "español"},
}

# Other words the tools and typists use for the same thing (matched after folding, like the labels).
ALIASES: dict[str, dict[str, str]] = {
    "constituency": {
        "municipality": "local-government", "city": "local-government", "ville": "local-government",
        "commune": "local-government", "municipalité": "local-government", "municipio": "local-government",
        "ciudad": "local-government", "local authority": "local-government", "collectivité locale": "local-government",
        "region": "regional-government", "région": "regional-government", "province": "regional-government",
        "association": "lg-association", "national association": "lg-association",
        "asociación": "lg-association", "asociacion": "lg-association",
        "section": "network-section", "regional section": "network-section", "sección regional": "network-section",
        "partner": "partner", "partenaire": "partner", "socio": "partner", "donor": "partner",
        "bailleur": "partner", "donante": "partner", "academia": "partner", "civil society": "partner",
        "société civile": "partner", "sociedad civil": "partner",
    },
    "language": {"francais": "fr", "french": "fr", "anglais": "en", "ingles": "en", "espanol": "es", "spanish": "es"},
    "region": {"global": "world", "mondial": "world", "international": "world", "mena": "middle-east-west-asia"},
}  # fmt: skip

VOCABULARIES = {"region": REGIONS, "constituency": CONSTITUENCIES, "language": LANGUAGE_NAMES}


def label(dimension: str, value: str, lang: str) -> str:
    """The label of ``value`` (a region, constituency or language id) in ``lang``.

    A value outside the vocabulary (a source name, say) is shown as it is.
    """
    labels = VOCABULARIES.get(dimension, {}).get(value)
    if not labels:
        return value
    return labels.get(lang) or labels["fr"]
