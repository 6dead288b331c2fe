"""URLs shown to people: never with credentials or tokens."""

from urllib.parse import urlsplit


def sanitise_url(url):
    """scheme://host[:port]/path: no userinfo, query or fragment, which may carry tokens."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
