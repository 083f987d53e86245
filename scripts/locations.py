"""Locations: where the raw data and the board live, and how to read them.

A location is a local path (or ``file://``), an ``http(s)://`` URL, or a cloud
URI (``s3://``, ``gs://``, ``az://``) read through fsspec, whose packages come
with the ``cloud`` extra and whose credentials come only from the environment.
The ingest step, the board and the board history all go through here.
"""

from __future__ import annotations

import urllib.request
from pathlib import Path

# Cloud schemes: the fsspec protocol that reads each, and the package that provides it.
CLOUD = {
    "s3": ("s3", "s3fs"),
    "gs": ("gcs", "gcsfs"),
    "gcs": ("gcs", "gcsfs"),
    "az": ("abfs", "adlfs"),
    "abfs": ("abfs", "adlfs"),
}
HTTP = ("http", "https")
TIMEOUT = 60


def scheme(location: str) -> str:
    """The URI scheme of a location, ``""`` for a local path.

    >>> scheme("S3://bucket/raw.csv"), scheme("/data/raw.csv")
    ('s3', '')
    """
    if "://" not in location:
        return ""
    return location.split("://", 1)[0].lower()


def is_local(location: str) -> bool:
    return scheme(location) in ("", "file")


def is_cloud(location: str) -> bool:
    return scheme(location) in CLOUD


def local_path(location: str) -> Path:
    return Path(location.removeprefix("file://"))


def cloud_package(location: str) -> str:
    """The package a cloud location needs (``s3fs``, ``gcsfs``, ``adlfs``)."""
    return CLOUD[scheme(location)][1]


def filesystem(location: str):
    """The fsspec file system of a cloud location (or of its scheme, ``"s3://"``).

    ``ImportError`` when its package is not installed (``cloud_package`` names it).
    """
    import fsspec

    return fsspec.filesystem(CLOUD[scheme(location)][0])


def http_request(url: str) -> urllib.request.Request:
    """An HTTP request for ``url``; a ``user:password@`` in it becomes basic authentication
    (urllib would take it for part of the host name)."""
    import base64
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return urllib.request.Request(url)
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    request = urllib.request.Request(urllib.parse.urlunsplit(parts._replace(netloc=host)))
    user = urllib.parse.unquote(parts.username) + ":" + urllib.parse.unquote(parts.password or "")
    request.add_header("Authorization", "Basic " + base64.b64encode(user.encode()).decode())
    return request


def open_binary(location: str):
    """A binary file object for any location (``ImportError`` when a cloud package is missing)."""
    kind = scheme(location)
    if kind in ("", "file"):
        return open(local_path(location), "rb")
    if kind in HTTP:
        return urllib.request.urlopen(http_request(location), timeout=TIMEOUT)
    return filesystem(location).open(location, "rb")


def http_get(url: str, timeout: float = TIMEOUT) -> bytes:
    """The body of an http(s) URL (``urllib.error.HTTPError`` / ``URLError`` when it fails)."""
    with urllib.request.urlopen(http_request(url), timeout=timeout) as response:
        return response.read()
