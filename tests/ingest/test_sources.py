"""Each source lists what the replay publisher shows, in the real page shapes."""

from datetime import date, datetime, timedelta

import pytest

from ingest.http import PoliteClient
from ingest.sources import PollContext, Publication, Signal
from ingest.sources.cqc import CqcSource
from ingest.sources.lga import LgaSource
from ingest.sources.ofsted import OfstedSource, parse_label
from shared.councils import default_register


@pytest.fixture
async def client():
    c = PoliteClient({"127.0.0.1"}, contact="ops@example.org", rate_per_host=1000, backoff_s=0.01, retries=1)
    yield c
    await c.aclose()


async def listed(source, ctx: PollContext) -> list:  # noqa: ANN001
    return [item async for item in source.discover(ctx)]


def test_ofsted_labels_give_type_and_date():
    assert parse_label("children's services inspection, pdf - 02 december 2022") == (
        "ilacs_inspection", date(2022, 12, 2))
    assert parse_label("Area SEND full inspection, pdf - 15 July 2024") == ("area_send_inspection", date(2024, 7, 15))
    assert parse_label("joint area child protection inspection, pdf - 30 january 2024")[0] == "jtai"
    assert parse_label("children’s services inspection,  pdf - 16 august 2013") == (
        "ilacs_inspection", date(2013, 8, 16))
    assert parse_label("Something else") == (None, None)


async def test_ofsted_follows_search_pages_then_reads_provider_pages(replay, client):
    source = OfstedSource(f"{replay.base}/ofsted", ["127.0.0.1"])
    items = await listed(source, PollContext(client=client, register=default_register()))
    assert len(replay.requested("/ofsted/search")) == 2  # 3 providers, 2 a page
    by_council = {}
    for item in items:
        assert isinstance(item, Publication) and item.key.startswith("file:") and item.media_type == "application/pdf"
        by_council.setdefault(item.council_gss, []).append(item)
    assert sorted(by_council) == ["E06000005", "E06000061", "E08000008"]  # Darlington, N. Northants, Tameside
    darlington = {i.published: i for i in by_council["E06000005"]}
    assert set(darlington) == {date(2022, 12, 2), date(2023, 12, 1)}
    assert "focused visit" in darlington[date(2023, 12, 1)].label


async def test_ofsted_for_one_council_reads_only_its_page(replay, client):
    source = OfstedSource(f"{replay.base}/ofsted", ["127.0.0.1"])
    items = await listed(source, PollContext(client=client, register=default_register(), council="E08000008"))
    assert [i.council_gss for i in items] == ["E08000008"]
    assert not replay.requested("/ofsted/search")


async def test_ofsted_uses_the_register_when_the_search_fails(replay, client):
    replay.fail("/ofsted/search", status=500, times=10)
    source = OfstedSource(f"{replay.base}/ofsted", ["127.0.0.1"])
    ctx = PollContext(client=client, register=default_register(), max_failures_in_a_row=1000)
    items = await listed(source, ctx)
    assert {i.council_gss for i in items} == {"E06000005", "E06000061", "E08000008"}
    assert len(replay.requested("/ofsted/provider/44/")) == 153  # every current council's page
    assert ctx.notes == ["search failed: 500"]


async def test_cqc_lists_assessments_signals_and_the_report_pdf(replay, client):
    source = CqcSource(f"{replay.base}/cqc", f"{replay.base}/cqc-api/public/v1")
    ctx = PollContext(client=client, register=default_register(), deep=True)
    items = await listed(source, ctx)
    signals = [i for i in items if isinstance(i, Signal)]
    pages = [i for i in items if isinstance(i, Publication)]
    assert [(s.kind, s.council_gss) for s in signals] == [("assessment.started", "E10000016")]  # Kent
    assert {p.council_gss for p in pages} == {"E06000005", "E10000015"}  # Darlington, Hertfordshire
    assert all(p.mutable and p.media_type == "text/html" for p in pages)
    assert ctx.notes == ["syndication API off: no CQC_API_KEY"]
    assert not replay.requested("/cqc-api/")

    page = pages[0]
    fetched = await client.get(page.url, source="cqc")
    (pdf,) = source.attachments(page, fetched.body)
    assert pdf.media_type == "application/pdf" and pdf.council_gss == page.council_gss
    assert (await client.get(pdf.url, source="cqc", expect="application/pdf")).body.startswith(b"%PDF")


async def test_cqc_api_changes_give_location_reports_with_the_council(replay, client):
    replay.add_location("1-555", "Devon", "2026-11-20")
    replay.add_location("1-556", "Cardiff", "2026-11-20")  # Wales: not an English council
    source = CqcSource(f"{replay.base}/cqc", f"{replay.base}/cqc-api/public/v1", api_key=replay.api_key)
    ctx = PollContext(client=client, register=default_register())
    items = [i for i in await listed(source, ctx) if isinstance(i, Publication) and i.media_type == "application/json"]
    assert [(i.key, i.council_gss, i.published) for i in items] == [
        ("location:1-555:report-1-555-2026-11-20", "E10000008", date(2026, 11, 20))]
    assert items[0].body and b'"localAuthority": "Devon"' in items[0].body
    assert "api_until" in ctx.cursor
    assert replay.requested("/changes/location")[0].headers["ocp-apim-subscription-key"] == replay.api_key

    # The next window starts a little before this one ended (the monitor drops repeats by key).
    until = ctx.cursor["api_until"]
    await listed(source, ctx)
    second = replay.requested("/changes/location")[-1].path
    overlap_start = datetime.fromisoformat(until) - timedelta(minutes=5)
    assert "startTimestamp=" + overlap_start.strftime("%Y-%m-%dT%H:%M:%SZ") in second


async def test_lga_pages_until_nothing_is_new_and_finds_peer_challenges(replay, client):
    for n in range(5):
        replay.add_case_study("Devon County Council", f"Story {n}")
    source = LgaSource(f"{replay.base}/lga")
    seen: set[str] = set()
    first = await listed(source, PollContext(client=client, register=default_register(), known=seen.__contains__))
    case_studies = [i for i in first if i.key.startswith("case-study:")]
    assert len(case_studies) == 7  # 2 from the catalogue + 5, one key each though linked twice
    assert len(replay.requested("/lga/case-studies?")) == 4  # 2 a page
    (cpc,) = [i for i in first if i.key.startswith("cpc:")]
    assert cpc.media_type == "application/pdf" and cpc.council_gss == "E07000070"  # Chelmsford
    assert {i.council_gss for i in case_studies} >= {"E10000008", "E06000005"}

    seen.update(i.key for i in first)
    replay.add_case_study("Kent County Council", "New story")
    before = len(replay.requested("/lga/case-studies?"))
    second = await listed(source, PollContext(client=client, register=default_register(), known=seen.__contains__))
    assert len(replay.requested("/lga/case-studies?")) - before == 2  # stops at the first page all known
    assert "case-study:kent-county-council-new-story" in {i.key for i in second}
