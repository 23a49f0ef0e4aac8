"""A fixed-window counter in the cache, to bound what anonymous forms can be made to
write and send (RELIABILITY.md: public forms are rate-limited).

With the default local-memory cache each server process counts on its own, so the
bound is the limit times the number of workers: still a bound. A shared cache
(`CACHES`) makes it exact.
"""

from django.core.cache import cache


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


def client_address(request) -> str:
    """The client's address as the server sees it (behind the proxy of production,
    Django's `SECURE_PROXY_SSL_HEADER` setup passes REMOTE_ADDR through)."""
    return request.META.get("REMOTE_ADDR", "")


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
