"""The seeded generator of the sample consultation (SAMPLE DATA, invented people).

Run ``python -m draftbook.sample`` to rewrite the tidy tables of the three
sample rounds in ``data/rounds/``. The same seed always gives the same files.
The rounds are shaped on the 2022 process of the sample paper: a live poll at
the Global Taskforce debate, regional sessions and a donor dialogue, then
written feedback through an online form. Participation is unequal across
regions and constituencies, and some calls divide respondents on purpose.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from draftbook.calls import Call
from draftbook.paths import Workbook
from draftbook.rounds import Round, load_round

SEED = 20220224
POOL_SIZE = 900

REGION_WEIGHTS = {
    "africa": 0.24,
    "asia-pacific": 0.12,
    "eurasia": 0.04,
    "europe": 0.27,
    "latin-america": 0.18,
    "middle-east-west-asia": 0.08,
    "north-america": 0.04,
    "world": 0.03,
}
CONSTITUENCY_WEIGHTS = {
    "local-government": 0.48,
    "regional-government": 0.12,
    "lg-association": 0.18,
    "network-section": 0.06,
    "partner": 0.16,
}
LANGUAGE_BY_REGION = {
    "africa": {"fr": 0.55, "en": 0.4, "es": 0.05},
    "asia-pacific": {"en": 0.95, "fr": 0.05},
    "eurasia": {"en": 0.9, "fr": 0.1},
    "europe": {"en": 0.5, "fr": 0.3, "es": 0.2},
    "latin-america": {"es": 0.9, "en": 0.05, "fr": 0.05},
    "middle-east-west-asia": {"en": 0.7, "fr": 0.3},
    "north-america": {"en": 0.85, "fr": 0.15},
    "world": {"en": 0.6, "fr": 0.2, "es": 0.2},
}

# Latent support of each call, and offsets for groups that see it differently.
CALL_BASE = {
    "CTA-01": 1.3, "CTA-02": 0.7, "CTA-03": 0.9, "CTA-04": 0.8, "CTA-05": 0.2, "CTA-06": 0.4,
    "CTA-07": 0.1, "CTA-08": 1.1, "CTA-09": 0.3, "CTA-10": 0.7, "CTA-11": 0.9, "CTA-12": 1.0,
    "CTA-13": 0.5, "CTA-14": 0.8, "CTA-15": 0.4, "CTA-16": 0.9,
}  # fmt: skip
CALL_OFFSETS: dict[str, dict[str, float]] = {
    "CTA-02": {"partner": -1.8, "lg-association": 0.6, "africa": 0.4},
    "CTA-03": {"africa": 0.5, "latin-america": 0.3, "partner": -0.4},
    "CTA-07": {"partner": 0.9, "local-government": -0.4},
    "CTA-09": {"regional-government": 1.2, "local-government": -0.3, "africa": -0.5},
    "CTA-15": {"latin-america": 0.8, "europe": 0.4, "middle-east-west-asia": -1.2},
    "CTA-16": {"asia-pacific": 0.6, "eurasia": -0.6},
}
POLARISED = {"CTA-02", "CTA-09", "CTA-15"}
CUTS = (-1.4, -0.5, 0.15, 1.0)

LABELS = {
    "fr": ("Pas du tout d'accord", "Plutôt pas d'accord", "Neutre", "Plutôt d'accord", "Tout à fait d'accord", "Sans avis"),
    "en": ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree", "No opinion"),
    "es": ("Totalmente en desacuerdo", "En desacuerdo", "Neutral", "De acuerdo", "Totalmente de acuerdo", "Sin opinión"),
}  # fmt: skip

CALL_COMMENTS = {
    "fr": {
        "positive": [
            "Appel essentiel pour notre collectivité, à garder tel quel.",
            "Tout à fait d'accord, c'est ce que nous vivons sur le terrain.",
            "Très bon point, mais il faudrait donner un exemple concret.",
        ],
        "negative": [
            "La formulation est trop générale : qui fait quoi, et avec quels moyens ?",
            "Cet appel ne tient pas compte des petites communes rurales.",
            "Nous craignons que cela alourdisse encore les procédures.",
        ],
    },
    "en": {
        "positive": [
            "A key call for us; please keep it.",
            "Strongly agree, this matches what we see on the ground.",
            "Good point, though an example would make it stronger.",
        ],
        "negative": [
            "Too vague: who should do what, and with which resources?",
            "This does not reflect the reality of small rural municipalities.",
            "We fear this would add yet more reporting requirements.",
        ],
    },
    "es": {
        "positive": [
            "Un llamado fundamental para nuestro municipio; hay que mantenerlo.",
            "Totalmente de acuerdo, es lo que vivimos en el territorio.",
            "Buen punto, aunque un ejemplo concreto lo reforzaría.",
        ],
        "negative": [
            "Demasiado general: ¿quién hace qué y con qué recursos?",
            "No refleja la realidad de los municipios rurales pequeños.",
            "Tememos que esto complique aún más los procedimientos.",
        ],
    },
}
MISSING = {
    "fr": [
        "Il manque la question des migrations et de l'accueil des personnes déplacées.",
        "Rien sur la culture comme pilier du développement durable.",
        "La place des jeunes dans la coopération n'apparaît pas.",
        "Il faudrait parler de l'adaptation au changement climatique.",
        "Les données locales et le suivi des ODD sont absents.",
    ],
    "en": [
        "Migration and the reception of displaced people are missing.",
        "Nothing on culture as a pillar of sustainable development.",
        "Youth participation in cooperation is not mentioned.",
        "Climate adaptation should be addressed explicitly.",
        "Local data and SDG monitoring are missing.",
    ],
    "es": [
        "Falta el tema de las migraciones y la acogida de personas desplazadas.",
        "No se menciona la cultura como pilar del desarrollo sostenible.",
        "No aparece la participación de la juventud en la cooperación.",
        "Debería abordarse la adaptación al cambio climático.",
        "Faltan los datos locales y el seguimiento de los ODS.",
    ],
}
GENERAL = {
    "fr": ["Merci pour ce travail de consultation.", "Le document gagnerait à être plus court."],
    "en": ["Thank you for this consultation.", "The paper would gain from being shorter."],
    "es": ["Gracias por esta consulta.", "El documento ganaría siendo más breve."],
}


@dataclass(frozen=True)
class SourcePlan:
    """One export of a round: who was there and how they answered."""

    name: str
    respondents: int
    start: dt.datetime
    end: dt.datetime
    regions: dict[str, float] = field(default_factory=dict)
    constituencies: dict[str, float] = field(default_factory=dict)
    no_opinion: float = 0.06
    comment_rate: float = 0.15
    missing_rate: float = 0.2


def _t(day: str, hour: int = 9) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour)


ROUND_PLANS: dict[str, list[SourcePlan]] = {
    "2022-02-gtf-debate": [
        SourcePlan("live-poll", 41, _t("2022-02-24", 16), _t("2022-02-24", 17), no_opinion=0.12,
                   constituencies={"lg-association": 2.5, "network-section": 3.0}, comment_rate=0.05),
    ],
    "2022-04-regional-sessions": [
        SourcePlan("africa-session", 38, _t("2022-04-25", 10), _t("2022-04-25", 12), regions={"africa": 1.0}),
        SourcePlan("latin-america-session", 31, _t("2022-04-26", 15), _t("2022-04-26", 17),
                   regions={"latin-america": 1.0}),
        SourcePlan("asia-pacific-mewa-session", 24, _t("2022-04-29", 8), _t("2022-04-29", 10),
                   regions={"asia-pacific": 0.7, "middle-east-west-asia": 0.3}),
        SourcePlan("donor-dialogue", 14, _t("2022-04-26", 10), _t("2022-04-26", 12),
                   constituencies={"partner": 1.0}, no_opinion=0.1),
    ],
    "2022-05-written-feedback": [
        SourcePlan("online-form", 312, _t("2022-04-29", 8), _t("2022-05-06", 23), comment_rate=0.22,
                   missing_rate=0.3),
    ],
}  # fmt: skip


def person_pool(rng: np.random.Generator, size: int = POOL_SIZE) -> pd.DataFrame:
    """Invented network members: a pseudonym, region, constituency, language, leaning."""
    regions = rng.choice(list(REGION_WEIGHTS), size=size, p=_normalise(REGION_WEIGHTS))
    constituencies = rng.choice(list(CONSTITUENCY_WEIGHTS), size=size, p=_normalise(CONSTITUENCY_WEIGHTS))
    languages = [rng.choice(list(LANGUAGE_BY_REGION[r]), p=_normalise(LANGUAGE_BY_REGION[r])) for r in regions]
    return pd.DataFrame(
        {
            "respondent": [pseudonym(i) for i in range(size)],
            "region": regions,
            "constituency": constituencies,
            "language": languages,
            "leaning": rng.normal(0, 0.5, size=size),
        }
    )


def pseudonym(index: int) -> str:
    """A stable invented respondent id for member ``index`` of the pool."""
    return "R-" + hashlib.sha256(f"sample-{SEED}-{index}".encode()).hexdigest()[:10]


def _normalise(weights: dict[str, float]) -> list[float]:
    total = sum(weights.values())
    return [w / total for w in weights.values()]


def score_for(call_id: str, person: pd.Series, rng: np.random.Generator) -> int:
    """A score 1-5 drawn from the call's latent support for this person's groups."""
    offsets = CALL_OFFSETS.get(call_id, {})
    latent = CALL_BASE.get(call_id, 0.5) + person["leaning"]
    latent += offsets.get(person["region"], 0.0) + offsets.get(person["constituency"], 0.0)
    latent += rng.normal(0, 1.3 if call_id in POLARISED else 0.8)
    return 1 + int(np.searchsorted(CUTS, latent))


def generate_round(round_: Round, pool: pd.DataFrame, seed: int) -> dict[str, pd.DataFrame]:
    """The tidy tables of one sample round: respondents, ratings, comments."""
    rng = np.random.default_rng(seed)
    taken: set[str] = set()
    respondents, ratings, comments = [], [], []
    for plan in ROUND_PLANS[round_.id]:
        people = _draw(pool, plan, taken, rng)
        for _, person in people.iterrows():
            taken.add(person["respondent"])
            respondents.append(_respondent_row(person, plan, rng))
            person_ratings = _ratings_for(person, round_.calls, plan, rng)
            ratings.extend(person_ratings)
            comments.extend(_comments_for(person, person_ratings, plan, rng))
    return {
        "respondents": pd.DataFrame(respondents).sort_values(["submitted_at", "respondent"]),
        "ratings": pd.DataFrame(ratings).astype({"score": "Int64"}),
        "comments": pd.DataFrame(comments, columns=["respondent", "call", "kind", "language", "text", "publishable"]),
    }


def _draw(pool: pd.DataFrame, plan: SourcePlan, taken: set[str], rng: np.random.Generator) -> pd.DataFrame:
    free = pool[~pool["respondent"].isin(taken)]
    weight = np.ones(len(free))
    if plan.regions:
        weight *= free["region"].map(plan.regions).fillna(0).to_numpy()
    if plan.constituencies:
        weight *= free["constituency"].map(plan.constituencies).fillna(1 if plan.regions else 0.15).to_numpy()
    chosen = rng.choice(len(free), size=plan.respondents, replace=False, p=weight / weight.sum())
    return free.iloc[np.sort(chosen)]


def _respondent_row(person: pd.Series, plan: SourcePlan, rng: np.random.Generator) -> dict[str, str]:
    seconds = (plan.end - plan.start).total_seconds()
    when = plan.start + dt.timedelta(seconds=int(rng.uniform(0, seconds)))
    return {
        "respondent": person["respondent"],
        "constituency": person["constituency"],
        "region": person["region"],
        "language": person["language"],
        "source": plan.name,
        "submitted_at": when.isoformat(),
    }


def _ratings_for(
    person: pd.Series, calls: Sequence[Call], plan: SourcePlan, rng: np.random.Generator
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    labels = LABELS[person["language"]]
    for call in calls:
        call_id = call.id
        if rng.random() < plan.no_opinion:
            rows.append({"respondent": person["respondent"], "call": call_id, "score": None, "label": labels[5]})
            continue
        score = score_for(call_id, person, rng)
        rows.append({"respondent": person["respondent"], "call": call_id, "score": score, "label": labels[score - 1]})
    return rows


def _comments_for(
    person: pd.Series, ratings: list[dict[str, object]], plan: SourcePlan, rng: np.random.Generator
) -> list[dict[str, object]]:
    lang = person["language"]
    consent = bool(rng.random() < 0.7)
    rows: list[dict[str, object]] = []

    def add(call: str, kind: str, text: str) -> None:
        rows.append({"respondent": person["respondent"], "call": call, "kind": kind, "language": lang,
                     "text": text, "publishable": consent})  # fmt: skip

    for rating in ratings:
        if rating["score"] is not None and rng.random() < plan.comment_rate / 3:
            polarity = "positive" if int(str(rating["score"])) >= 4 else "negative"
            add(str(rating["call"]), "call", str(rng.choice(CALL_COMMENTS[lang][polarity])))
    if rng.random() < plan.missing_rate:
        add("", "missing", str(rng.choice(MISSING[lang])))
    if rng.random() < plan.comment_rate / 2:
        add("", "general", str(rng.choice(GENERAL[lang])))
    return rows


def write_sample(workbook: Workbook) -> list[str]:
    """Rewrite the tidy tables of every sample round; return the files written."""
    pool = person_pool(np.random.default_rng(SEED))
    written = []
    for offset, round_id in enumerate(ROUND_PLANS):
        round_ = load_round(workbook, round_id)
        for name, table in generate_round(round_, pool, SEED + offset + 1).items():
            path = round_.table_path(name)
            table.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
            written.append(str(path.relative_to(workbook.root)))
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m draftbook.sample",
        description="Rewrite the tidy tables of the sample rounds from the seeded generator (invented people).",
    )
    parser.parse_args(argv)
    for path in write_sample(Workbook.locate()):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
