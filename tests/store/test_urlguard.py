"""Refusals are decided before any connection: no traffic goes to the addresses tested."""

import pytest

from store.urlguard import UnsafeURL, check_url


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/hook",             # plain http
        "https://127.0.0.1/hook",              # loopback
        "https://10.1.2.3/hook",               # private
        "https://169.254.169.254/latest",      # link-local (cloud metadata)
        "https://[::1]/hook",                  # IPv6 loopback
        "https://user:pw@203.0.113.9/hook",    # credentials
        "ftp://203.0.113.9/",
        "not a url",
    ],
)
async def test_unsafe_urls_are_refused(url):
    with pytest.raises(UnsafeURL):
        await check_url(url, allow_private=False)


async def test_public_literal_address_is_allowed_and_development_allows_loopback():
    await check_url("https://8.8.8.8/hook", allow_private=False)
    await check_url("http://127.0.0.1:9/hook", allow_private=True)
