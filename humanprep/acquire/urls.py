"""URLs shown to people: never with credentials or tokens."""

import hashlib
from urllib.parse import urlsplit


def sanitise_url(url):
    """scheme://host[:port]/path: no userinfo, query or fragment, which may carry tokens."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def join_url(base, file):
    """<base>/<file>, keeping the base's query (e.g. a signed-URL token) after the file."""
    parts = urlsplit(base)
    return parts._replace(path=f"{parts.path.rstrip('/')}/{file}").geturl()


def url_env_key(dataset, file):
    """The variable that carries a URL's credentials to its download job: the full URL
    travels in the environment, never in params (stored in .snakemake/metadata)."""
    digest = hashlib.sha256(f"{dataset}/{file}".encode()).hexdigest()[:16].upper()
    return f"HUMANPREP_URL_{digest}"


def token_env_key(dataset):
    """Variable holding a bearer token for a dataset's downloads (e.g. a Hugging Face token)."""
    return f"HUMANPREP_{dataset.upper()}_TOKEN"


def split_credentials(url):
    """(public URL, full URL or None): the full URL only when it carries userinfo, a query
    or a fragment, which may hold credentials or tokens."""
    public = sanitise_url(url)
    return public, (url if public != url else None)
