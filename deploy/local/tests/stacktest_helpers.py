"""Connection settings shared by the local-stack tests."""

from __future__ import annotations

from pathlib import Path

from xzstack import paths

STACK = Path(__file__).resolve().parent.parent / "stack"


def sasl(code: str, password: str | None = None) -> dict[str, str]:
    """aiokafka settings for a partner on the SASL listener, from the stored credentials."""
    from xzstack.provision import partner_credentials

    creds = partner_credentials(code)
    return {
        "bootstrap_servers": creds["bootstrap"],
        "security_protocol": creds["security_protocol"],
        "sasl_mechanism": creds["mechanism"],
        "sasl_plain_username": creds["username"],
        "sasl_plain_password": password if password is not None else creds["password"],
    }


PLAINTEXT = {"bootstrap_servers": paths.KAFKA_PLAINTEXT}
