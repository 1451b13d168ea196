"""Client TLS for queue sources from Argo's ``TLSConfig`` (CA, client cert/key, insecureSkipVerify)."""

from __future__ import annotations

import ssl
import tempfile
from pathlib import Path
from typing import Any

from eventsources.base import SpecError, read_spec_secret
from eventsources.secrets import SecretResolver


async def client_tls(tls: Any, secrets: SecretResolver | None, path: str) -> ssl.SSLContext | None:
    """``None`` when the spec has no ``tls`` block; raises SpecError naming the bad field."""
    if tls is None:
        return None
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if tls.ca_cert_secret is not None:
        ca = await read_spec_secret(secrets, tls.ca_cert_secret, f"{path}.caCertSecret")
        try:
            ctx.load_verify_locations(cadata=ca)
        except ssl.SSLError as exc:
            raise SpecError(f"{path}.caCertSecret", f"not a PEM CA certificate: {exc}") from None
    if tls.client_cert_secret is not None and tls.client_key_secret is not None:
        cert = await read_spec_secret(secrets, tls.client_cert_secret, f"{path}.clientCertSecret")
        key = await read_spec_secret(secrets, tls.client_key_secret, f"{path}.clientKeySecret")
        # load_cert_chain only reads files; keep the material in a private temporary directory.
        with tempfile.TemporaryDirectory(prefix="pinnace-tls-") as tmp:
            cert_file, key_file = Path(tmp) / "tls.crt", Path(tmp) / "tls.key"
            cert_file.write_text(cert)
            key_file.write_text(key)
            key_file.chmod(0o600)
            try:
                ctx.load_cert_chain(cert_file, key_file)
            except ssl.SSLError as exc:
                raise SpecError(f"{path}.clientCertSecret", f"client certificate/key unusable: {exc}") from None
    if tls.insecure_skip_verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx
