"""The client's address behind the TLS proxy.

Behind nginx, Caddy or a load balancer every request reaches the app server from
the proxy, so REMOTE_ADDR is the proxy's address: the audit log would record it for
every entry, and sign-in lockouts (django-axes, by username and address) would treat
a whole school as one address. The proxy passes the client's address in
X-Forwarded-For; a client can send that header too, so it is believed only from the
proxies named in TRUSTED_PROXIES (addresses or networks), and then only the
right-most address that is not itself a trusted proxy: the one the nearest trusted
proxy saw. With no TRUSTED_PROXIES (the default) nothing changes.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]):
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(remote_addr: str, forwarded_for: str, trusted: tuple) -> str:
    """The address to record: remote_addr, or the client's address from
    forwarded_for when remote_addr is a trusted proxy."""
    networks = _networks(trusted)

    def is_trusted(address):
        return address is not None and any(address in net for net in networks)

    if not networks or not is_trusted(_address(remote_addr)):
        return remote_addr
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            return remote_addr  # a malformed chain: believe nothing in it
        if not is_trusted(address):
            return str(address)
    return remote_addr


class ForwardedForMiddleware:
    """Early in MIDDLEWARE, before anything reads REMOTE_ADDR (the audit log's
    middleware, django-axes at sign-in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = tuple(settings.CHRONICLE_TRUSTED_PROXIES)
        if trusted:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR", ""),
                request.META.get("HTTP_X_FORWARDED_FOR", ""),
                trusted,
            )
        return self.get_response(request)
