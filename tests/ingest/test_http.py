"""The polite client against the replay publisher on loopback: allow-list, robots.txt,
retries and Retry-After, conditional GET, size caps, sniffing and the per-host rate."""

import pytest

from ingest.http import FetchError, PoliteClient, Refused
from shared.media import HTML, PDF
from shared.retry import parse_retry_after


def client_for(replay, **kw) -> PoliteClient:  # noqa: ANN001
    options = dict(contact="ops@example.org", rate_per_host=1000, backoff_s=0.01, retries=2)
    options.update(kw)
    return PoliteClient({"127.0.0.1"}, **options)


async def test_refuses_hosts_not_on_the_allow_list_without_connecting(replay):
    client = client_for(replay)
    port = replay.base.rsplit(":", 1)[1]
    for url in (f"http://localhost:{port}/ofsted/search", "http://169.254.169.254/latest/meta-data",
                "file:///etc/passwd", f"http://user:pw@127.0.0.1:{port}/ofsted/search"):
        with pytest.raises(Refused):
            await client.get(url, source="test")
    assert replay.requests == []
    await client.aclose()


async def test_a_redirect_to_another_host_is_refused(replay):
    replay.redirects["/ofsted/moved"] = "http://files.evil.example/x.pdf"
    client = client_for(replay)
    with pytest.raises(Refused, match="allow-list"):
        await client.get(f"{replay.base}/ofsted/moved", source="test")
    await client.aclose()


async def test_robots_txt_is_respected(replay):
    client = client_for(replay)
    with pytest.raises(Refused, match="robots"):
        await client.get(f"{replay.base}/private/report.pdf", source="test")
    assert replay.requested("/robots.txt") and not replay.requested("/private/")
    await client.aclose()


async def test_429_waits_for_retry_after_then_succeeds(replay):
    client = client_for(replay)
    replay.fail("/ofsted/provider/44/80458", status=429, retry_after="1")
    fetched = await client.get(f"{replay.base}/ofsted/provider/44/80458", source="test", expect=HTML)
    assert fetched.status == 200
    first, second = replay.requested("/provider/44/80458")
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 0.95  # the server's Retry-After, not the 10 ms backoff
    await client.aclose()


async def test_5xx_is_retried_then_given_up_with_the_status(replay):
    client = client_for(replay, retries=2)
    replay.fail("/ofsted/provider/44/80458", status=503, times=3)
    with pytest.raises(FetchError) as caught:
        await client.get(f"{replay.base}/ofsted/provider/44/80458", source="test")
    assert caught.value.status == "503"
    assert len(replay.requested("/provider/44/80458")) == 3  # first try + 2 retries
    await client.aclose()


async def test_404_is_not_retried(replay):
    client = client_for(replay, retries=3)
    with pytest.raises(FetchError) as caught:
        await client.get(f"{replay.base}/ofsted/provider/44/1", source="test")
    assert caught.value.status == "404"
    assert len(replay.requested("/provider/44/1")) == 1
    await client.aclose()


async def test_html_served_as_pdf_is_not_a_pdf(replay):
    url = replay.add_ofsted("Darlington")
    replay.replace(url.split(replay.base, 1)[1], b"<!DOCTYPE html><html><body>Sorry</body></html>", "application/pdf")
    client = client_for(replay)
    with pytest.raises(FetchError) as caught:
        await client.get(url, source="test", expect=PDF)
    assert caught.value.status == "wrong_type" and "HTML" in caught.value.message
    await client.aclose()


async def test_responses_over_the_cap_are_refused(replay):
    url = replay.add_ofsted("Darlington")
    client = client_for(replay, max_bytes=1000)
    with pytest.raises(FetchError) as caught:
        await client.get(url, source="test", expect=PDF)
    assert caught.value.status == "too_large"
    await client.aclose()


async def test_conditional_get_answers_not_modified(replay):
    url = replay.add_ofsted("Darlington")
    client = client_for(replay)
    first = await client.get(url, source="test", expect=PDF)
    assert first.body.startswith(b"%PDF") and first.etag
    again = await client.get(url, source="test", expect=PDF, etag=first.etag)
    assert again.not_modified and again.body == b""
    assert replay.requested("/v1/file/")[-1].headers["if-none-match"] == first.etag
    await client.aclose()


async def test_a_slow_answer_times_out(replay):
    client = client_for(replay, timeout_s=0.3, retries=0)
    replay.fail("/ofsted/provider/44/80458", status=0, delay_s=1.0)
    with pytest.raises(FetchError) as caught:
        await client.get(f"{replay.base}/ofsted/provider/44/80458", source="test")
    assert caught.value.status == "timeout"
    await client.aclose()


async def test_requests_to_one_host_keep_to_the_rate_and_identify_themselves(replay):
    client = client_for(replay, rate_per_host=5)
    for _ in range(4):
        await client.get(f"{replay.base}/ofsted/provider/44/80458", source="test")
    times = [r.at for r in replay.requested("/provider/44/80458")]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.18  # one request per 0.2 s
    assert "ops@example.org" in replay.requested("/provider/44/80458")[0].headers["user-agent"]
    await client.aclose()


def test_retry_after_is_seconds_or_an_http_date():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past
    assert parse_retry_after("soon") is None
