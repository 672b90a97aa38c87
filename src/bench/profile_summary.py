#!/usr/bin/env python3
"""Summarises async-profiler's collapsed stacks (with threads) for src/bench/profile.sh.

Prints the share of CPU samples per thread group, then for the busiest groups the frames with
the most inclusive samples among Signet's, gRPC's, netty's and the crypto providers' code, and
the leaf frames with the most self samples.
"""
import collections
import re
import sys

GROUPS = [
    ("signet-worker", re.compile(r"signet-worker")),
    ("event loop", re.compile(r"grpc-(nio|default)-worker|epoll|nioEventLoop")),
    ("C2 compiler", re.compile(r"C2 Compiler")),
    ("C1 compiler", re.compile(r"C1 Compiler")),
    ("GC", re.compile(r"G1|GC Thread|VM Thread|Gang|Conc")),
]


def group_of(thread):
    for name, pattern in GROUPS:
        if pattern.search(thread):
            return name
    return "other"


def main(path, top=25):
    by_group = collections.Counter()
    inclusive = collections.defaultdict(collections.Counter)
    leaf = collections.defaultdict(collections.Counter)
    total = 0
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            n = int(count)
            frames = stack.split(";")
            thread = frames[0].strip("[]")
            g = group_of(thread)
            by_group[g] += n
            total += n
            seen = set()
            for fr in frames[1:]:
                if fr not in seen:
                    inclusive[g][fr] += n
                    seen.add(fr)
            leaf[g][frames[-1]] += n
    print(f"samples: {total}")
    for g, n in by_group.most_common():
        print(f"  {g:14s} {100.0 * n / total:5.1f}%")
    interesting = re.compile(r"dev/signet|io/grpc|io/netty|amazon|bouncycastle|java/util/logging"
                             r"|io/micrometer|com/google/protobuf|SSL|ssl|write|epoll|futex")
    for g, n in by_group.most_common(2):
        print(f"\n== {g}: frames by inclusive share of all samples")
        rows = [(c, fr) for fr, c in inclusive[g].items() if interesting.search(fr)]
        for c, fr in sorted(rows, reverse=True)[:top]:
            print(f"  {100.0 * c / total:5.1f}%  {fr}")
        print(f"\n== {g}: leaf frames by self share of all samples")
        for fr, c in leaf[g].most_common(top):
            print(f"  {100.0 * c / total:5.1f}%  {fr}")


if __name__ == "__main__":
    main(sys.argv[1])
