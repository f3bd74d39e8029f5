"""The Python TOTP used by the browser tests, checked against RFC 6238's test vectors."""

import base64

import pytest

# RFC 6238 appendix B, SHA-1 seed "12345678901234567890"; the RFC lists 8 digits, we use the last 6.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode().rstrip("=")


@pytest.mark.parametrize("when, code", [
    (59, "287082"),
    (1111111109, "081804"),
    (1111111111, "050471"),
    (1234567890, "005924"),
    (2000000000, "279037"),
    (20000000000, "353130"),
])
def test_totp_matches_rfc_6238(totp, when, code):
    assert totp(RFC_SECRET, when) == code


def test_totp_accepts_lowercase_and_unpadded_secret(totp):
    assert totp(RFC_SECRET.lower(), 59) == "287082"
