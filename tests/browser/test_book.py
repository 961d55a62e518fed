"""The published book in a real browser: the kernel-free weighing chart re-ranks the calls."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator

import pytest

from draftbook.analysis.weighing import CRITERIA, RoundData, criteria_table, load_assessments, rank
from draftbook.cli import main
from draftbook.model.membership import load_membership
from draftbook.model.paths import Workbook
from draftbook.model.rounds import load_round, read_table
from tests.browser.conftest import FLAGS  # noqa: F401 (the browser fixture lives there)

pytestmark = pytest.mark.slow
ROUND = "2022-05-written-feedback"


@pytest.fixture
def site(workbook: Workbook) -> Iterator[str]:
    assert main(["build", "--round", ROUND, "--lang", "fr"]) == 0
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(workbook.html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def axis_order(page) -> list[str]:  # type: ignore[no-untyped-def]
    labels = page.locator(".draftbook-vega .role-axis-label text")
    # Vega moves the label elements rather than reordering them: read them top to bottom on screen.
    placed = labels.evaluate_all(
        "elements => elements.map(element => [element.getBoundingClientRect().top, element.textContent])"
    )
    return [text.split(" · ")[0] for _, text in sorted(placed) if text.startswith("CTA-")]


def test_moving_a_slider_reorders_the_ranking_in_the_browser(site: str, workbook: Workbook, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url) if not request.url.startswith(site) else None)
    try:
        page.goto(f"{site}/fr/rounds/{ROUND}/weighing.html")
        page.wait_for_selector(".draftbook-vega svg .role-axis-label", timeout=30_000)
        before = axis_order(page)
        round_ = load_round(workbook, ROUND)
        data = RoundData(
            round_.calls,
            read_table(round_, "respondents"),
            read_table(round_, "ratings"),
            load_assessments(round_.folder / "assessments.yml", [c.id for c in round_.calls]),
            load_membership(workbook.membership_file).shares("region"),
        )
        urgency_only = dict.fromkeys(CRITERIA, 0.0) | {"urgency": 5.0}
        expected = rank(criteria_table(data, "membership-regions"), urgency_only)
        for index, criterion in enumerate(CRITERIA):
            value = "5" if criterion == "urgency" else "0"
            page.locator(".draftbook-vega input[type=range]").nth(index).evaluate(
                "(input, value) => { input.value = value; input.dispatchEvent(new Event('input', {bubbles: true})); }",
                value,
            )
        page.wait_for_timeout(500)  # Vega re-renders on the next animation frame
        after = axis_order(page)
        assert after != before
        top = set(expected.loc[expected["rank"] == 1, "call"])
        assert after[0] in top  # the browser ranks as the package does
        assert outside == []  # every script came from the book itself
    finally:
        context.close()
