"""docs/API.md lists what glasstorch implements of PyTorch's API (benchmarks/api_coverage.py writes it): a name
listed there as implemented must not disappear, and the exclusions must not hide a name glasstorch has."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import api_coverage  # noqa: E402

with open(os.path.join(ROOT, "docs", "API.md")) as f:
    LISTED = api_coverage.implemented_in(f.read())

CASES = [(ns, name) for ns, names in sorted(LISTED.items()) for name in names]


def test_every_namespace_is_listed():
    assert set(LISTED) == {theirs for theirs, _, _ in api_coverage.NAMESPACES}


@pytest.mark.parametrize("namespace", sorted(LISTED))
def test_names_listed_as_implemented_are_there(namespace):
    ours = dict((t, o) for t, o, _ in api_coverage.NAMESPACES)[namespace]
    if not LISTED[namespace]:
        return  # nothing listed (a namespace glasstorch leaves out, such as torch.fft)
    obj = api_coverage._resolve(ours)
    gone = [n for n in LISTED[namespace] if not api_coverage.has_name(obj, n)]
    assert not gone, f"{namespace}: listed in docs/API.md as implemented but missing from {ours}: {gone}"


def test_exclusion_patterns_match_whole_names():
    # a pattern meant for one family must not swallow a name of another: each names a real PyTorch name
    import re
    import torch
    for namespace, entries in api_coverage.EXCLUDED.items():
        names = api_coverage.reference_names(namespace)
        for pattern, reason in entries:
            assert reason, pattern
            assert any(re.fullmatch(pattern, n) for n in names), (namespace, pattern)
    assert torch  # (PyTorch is the reference the table is made from)


def test_static_name_lists_are_sorted_and_listed():
    # torchvision's names are written out by hand (it does not install here): sorted, no repeats, and each
    # list belongs to a namespace of the table
    namespaces = {theirs for theirs, _, _ in api_coverage.NAMESPACES}
    for namespace, names in api_coverage.STATIC_NAMES.items():
        assert namespace in namespaces, namespace
        assert names == sorted(set(names)), namespace
        assert not any(n.startswith("_") for n in names), namespace
