"""A fixed-window counter in the cache, to bound what anonymous forms can be made to
write and send (RELIABILITY.md: public forms are rate-limited).

With the default local-memory cache each server process counts on its own, so the
bound is the limit times the number of workers: still a bound. A shared cache
(`CACHES`) makes it exact.
"""

import ipaddress

from django.conf import settings
from django.core.cache import cache

# When no address can be found (a misconfigured proxy): one shared address, so that the
# limits still apply (to everyone in that case) instead of letting everything through.
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 (a placeholder, never bound)


def throttle_allows(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one more event for (scope, key) in the current window of `window` seconds;
    False once `limit` events were counted in it."""
    cache_key = f"villes2:throttle:{scope}:{key}"
    if cache.add(cache_key, 1, timeout=window):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        return True
    return count <= limit


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_address(request) -> str:
    """The client's address, for rate limits, login throttling and the security log.

    `REMOTE_ADDR`, unless the connection comes from a trusted proxy (`TRUSTED_PROXIES`:
    the loopback addresses by default, the reverse proxy on the same machine; an empty
    `REMOTE_ADDR`, a proxy on a Unix socket, counts as one): then the right-most address
    of `X-Forwarded-For` that is not itself a trusted proxy, the one the proxy saw (the
    entries to its left are the client's to choose). `UNKNOWN_ADDRESS` if none is valid."""
    trusted = set(settings.TRUSTED_PROXIES)
    remote = request.META.get("REMOTE_ADDR", "")
    if not remote or remote in trusted:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for entry in reversed([part.strip() for part in forwarded if part.strip()]):
            if entry not in trusted:
                return entry if _valid(entry) else UNKNOWN_ADDRESS
    return remote if _valid(remote) else UNKNOWN_ADDRESS


def sender_throttled(
    request, email: str, *, scope: str, per_address: int, per_email: int, window: int = 3600
) -> bool:
    """True when a public form has been sent too often in the window from this client
    address (`per_address`: colleagues behind one office address) or for this e-mail
    (`per_email`). Counts one more sending on both."""
    return not (
        throttle_allows(
            scope=f"{scope}-address",
            key=client_address(request),
            limit=per_address,
            window=window,
        )
        and throttle_allows(
            scope=f"{scope}-email", key=email.strip().casefold(), limit=per_email, window=window
        )
    )
