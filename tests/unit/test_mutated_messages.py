"""Mutated demo messages are read or refused with an OperationOutcome's issues, never a crash."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from medpass.domain.errors import MessageRejected
from medpass.domain.feeds import Feed
from medpass.fhir.read_message import read_feed_message
from tests.conftest import SAMPLES

SAMPLE_FILES = sorted(SAMPLES.glob("*/*.json"))
ODD_VALUES: list[Any] = [None, "", "x", 0, -1, 1.5, True, [], {}, [None], {"reference": "Patient/nobody"}, "2026-13-01"]


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside a JSON document."""
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in children:
        yield from _paths(child, (*prefix, key))


def _mutate(document: Any, rng: random.Random) -> None:
    """Delete or replace one to three values anywhere in the document."""
    paths = list(_paths(document))[1:]
    for _ in range(rng.randint(1, 3)):
        *parents, last = rng.choice(paths)
        node = document
        try:
            for key in parents:
                node = node[key]
            if isinstance(node, dict) and rng.random() < 0.4:
                del node[last]
            else:
                node[last] = copy.deepcopy(rng.choice(ODD_VALUES))
        except (KeyError, IndexError, TypeError):
            continue


@pytest.mark.parametrize("seed", range(20))
def test_mutated_messages_are_read_or_refused_with_issues_never_a_crash(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(100):
        path = rng.choice(SAMPLE_FILES)
        document = json.loads(path.read_text())
        _mutate(document, rng)
        feed = Feed(path.stem.split("-")[0] if not path.stem.startswith("mental") else "mental-health")
        try:
            read_feed_message(json.dumps(document).encode(), feed, 5 * 1024 * 1024)
        except MessageRejected as rejection:
            assert rejection.issues and all(issue.diagnostics for issue in rejection.issues)
