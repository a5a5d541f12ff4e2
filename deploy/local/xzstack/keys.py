"""The development JWT signing key. xiangzhi_shared.devkeys owns the format and location
(.state/keys/dev-signing.pem and the public .state/keys/jwks.json that services read through
JWKS_FILE); the stack only makes sure it exists before anything starts."""

from __future__ import annotations

from . import paths


def ensure() -> None:
    from xiangzhi_shared.devkeys import ensure_keys

    _, jwks = ensure_keys()
    if jwks != paths.JWKS_FILE:
        raise RuntimeError(f"devkeys wrote {jwks}, the stack tells services {paths.JWKS_FILE}")
