"""Files for the datasets: MD5 checksums, downloads from a list of mirrors, atomic writes, clear errors.

Downloads use only ``urllib.request`` (a short timeout per mirror). A download is written to a temporary
file in the target folder, its MD5 checked, then moved into place with ``os.replace``: a failed or
interrupted download never leaves a partial file under the real name. Nothing here ever unpickles.
"""
import gzip
import hashlib
import os
import urllib.error
import urllib.request
import zlib

from ... import serialization

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_url", "write_atomically",
           "DatasetFileError"]

DOWNLOAD_TIMEOUT = 10.0  # seconds for each mirror to answer


class DatasetFileError(RuntimeError):
    """A data file that is there but cannot be trusted (truncated, corrupted, not the expected file)."""


def calculate_md5(path_or_bytes, chunk_size=1 << 20):
    """The MD5 hex digest of a file (by path) or of a bytes object."""
    digest = hashlib.md5(usedforsecurity=False)
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        digest.update(path_or_bytes)
        return digest.hexdigest()
    with open(path_or_bytes, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_md5(path, md5):
    return calculate_md5(path) == md5


def check_integrity(path, md5=None):
    """torchvision's helper: the file exists and, when ``md5`` is given, has that checksum."""
    if not os.path.isfile(path):
        return False
    return md5 is None or check_md5(path, md5)


def write_atomically(path, data):
    """Write ``data`` (bytes) to ``path`` atomically (see ``glasstorch.serialization.write_atomically``),
    creating its folder first."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    serialization.write_atomically(path, lambda out: out.write(data))


def fetch(url, timeout=DOWNLOAD_TIMEOUT):
    """The bytes at ``url`` (raises OSError/URLError when the network or the server fails)."""
    request = urllib.request.Request(url, headers={"User-Agent": "glasstorch"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def download_url(urls, path, md5=None, timeout=DOWNLOAD_TIMEOUT):
    """Download the first of ``urls`` (one URL or a list of mirrors) whose bytes have checksum ``md5``,
    and write them atomically to ``path``. Raises RuntimeError listing what each mirror answered."""
    if isinstance(urls, str):
        urls = [urls]
    failures = []
    for url in urls:
        try:
            data = fetch(url, timeout=timeout)
        except (OSError, urllib.error.URLError, ValueError) as error:  # URLError is an OSError; timeouts too
            failures.append(f"{url}: {error}")
            continue
        found = calculate_md5(data)
        if md5 is not None and found != md5:
            failures.append(f"{url}: wrong MD5 {found} (expected {md5})")
            continue
        write_atomically(path, data)
        return path
    raise RuntimeError(f"Could not download {os.path.basename(path)}:\n  " + "\n  ".join(failures))


def gunzip(data, path):
    """Decompress gzip ``data`` read from ``path``; a truncated or damaged archive raises DatasetFileError."""
    try:
        return gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as error:  # BadGzipFile is an OSError
        raise DatasetFileError(f"{path} is not a complete gzip file ({error}): it is truncated or corrupted.")
