"""Drawing and exporting a big impact map: the SVG of the map page and the three exports.

Run: .venv/bin/python -m benchmarks.maps [--runs N]
     (or .venv/bin/python benchmarks/maps.py [--runs N])

One map of 500 nodes: 4 actors, 4 outcomes each, 5 outputs per outcome and 5
experiments per output, with titles of 3 to 14 words (a few of 300 characters, the
longest a title may be), evidence of every strength, outputs in every status and
experiments scored and finished in every way. What is timed is the pure work a request
does once it has the tree: ``render_svg`` as the map page calls it (links on, one node
selected), the same with the four actors folded, and each export; building the tree
from its records is timed too, for scale. Nothing touches a database. Prints p50, p95
and max milliseconds and the size of each output; asserts nothing. Target (issue
brief): the SVG of 500 nodes well under 100 ms.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from interviews.maps.exports import to_freemind, to_json, to_mermaid
from interviews.maps.rules import (
    DEFAULT_PATTERN_THRESHOLD,
    ExperimentKind,
    ExperimentResult,
    ExperimentStatus,
    NodeKind,
    OutputStatus,
    Stage,
)
from interviews.maps.svg import render_svg
from interviews.maps.tree import Goal, MapTree, NodeRecord, build_tree

try:
    from stats import percentile  # beside this script (run as benchmarks/maps.py)
except ImportError:
    from benchmarks.stats import percentile  # run as python -m benchmarks.maps

SHAPE = (4, 4, 5, 5)  # actors, outcomes per actor, outputs per outcome, experiments per output
TITLE_TEXT = (
    "invite team admins first week export reports spreadsheet invoice approve upgrade "
    "without call trial workspace onboarding checklist share link slack channel calendar "
    "booking reminder schedule interview notes tag takeaways dashboard weekly monthly "
    "finance procurement security review single sign-on seats billing plan renew "
    "contract mobile app notification email digest search filter template survey"
)
WORDS = TITLE_TEXT.split()
GOAL = Goal(
    "Grow weekly active teams to 400",
    metric="weekly active teams",
    current=Decimal(240),
    target=Decimal(400),
    deadline=date(2027, 6, 30),
)


def title(rng: random.Random) -> str:
    if rng.random() < 0.02:
        return ("Long title " + " ".join(rng.choices(WORDS, k=60)))[:300]
    return " ".join(rng.choices(WORDS, k=rng.randint(3, 14))).capitalize()


def big_map(seed: int = 20261201) -> tuple[list[NodeRecord], dict[int, tuple[int, int]]]:
    """The records and evidence counts of the 500-node map described above."""
    rng = random.Random(seed)
    records: list[NodeRecord] = []
    counts: dict[int, tuple[int, int]] = {}
    next_id = iter(range(1, 10_000))

    def add(kind: NodeKind, parent: int | None, position: int, **fields) -> int:
        node_id = next(next_id)
        records.append(NodeRecord(node_id, kind, parent, title(rng), position, **fields))
        if kind is not NodeKind.EXPERIMENT and rng.random() < 0.7:
            people = rng.randint(1, 8)
            counts[node_id] = (people + rng.randint(0, 6), people)
        return node_id

    actors, outcomes, outputs, experiments = SHAPE
    for a in range(actors):
        actor = add(NodeKind.ACTOR, None, a, stage=rng.choice(list(Stage)))
        for o in range(outcomes):
            outcome = add(NodeKind.OUTCOME, actor, o)
            for p in range(outputs):
                output = add(
                    NodeKind.OUTPUT, outcome, p, output_status=rng.choice(list(OutputStatus))
                )
                for e in range(experiments):
                    add(
                        NodeKind.EXPERIMENT,
                        output,
                        e,
                        experiment_kind=rng.choice(list(ExperimentKind)),
                        impact=rng.randint(1, 10),
                        confidence=rng.randint(1, 10),
                        ease=rng.randint(1, 10),
                        experiment_status=rng.choice(list(ExperimentStatus)),
                        result=rng.choice([None, *ExperimentResult]),
                    )
    return records, counts


def timed(name: str, runs: int, call: Callable[[], object]) -> object:
    """One untimed warm-up call, then ``runs`` timed ones; returns the last result."""
    result = call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        samples.append((time.perf_counter() - start) * 1000)
    size_text = ""
    if isinstance(result, str | bytes):
        size = len(result.encode() if isinstance(result, str) else result) / 1024
        size_text = f"{size:8.1f} KiB"
    print(
        f"{name:<44} n={runs:<4} p50={percentile(samples, 50):7.2f} ms  "
        f"p95={percentile(samples, 95):7.2f} ms  max={max(samples):7.2f} ms  {size_text}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    records, counts = big_map()
    tree: MapTree = build_tree(1, GOAL, records, counts, DEFAULT_PATTERN_THRESHOLD)
    nodes = sum(1 for _ in tree.nodes())
    print(f"map: {nodes} nodes ({' x '.join(map(str, SHAPE))}), {len(counts)} with evidence")

    def href(params: dict) -> str:
        return f"/maps/1?fold={params['fold']}&node={params['node'] or ''}"

    selected = tree.actors[0].children[0].id
    folded = frozenset(actor.id for actor in tree.actors)
    timed(
        "build_tree (500 records)",
        args.runs,
        lambda: build_tree(1, GOAL, records, counts, DEFAULT_PATTERN_THRESHOLD),
    )
    timed(
        "render_svg (all open, links, selected)",
        args.runs,
        lambda: render_svg(tree, selected=selected, href=href),
    )
    timed("render_svg (no links: map.svg)", args.runs, lambda: render_svg(tree))
    timed(
        "render_svg (4 actors folded)",
        args.runs,
        lambda: render_svg(tree, folded=folded, selected=selected, href=href),
    )
    timed("to_json", args.runs, lambda: to_json(tree))
    timed("to_mermaid", args.runs, lambda: to_mermaid(tree))
    timed("to_freemind", args.runs, lambda: to_freemind(tree))


if __name__ == "__main__":
    main()
