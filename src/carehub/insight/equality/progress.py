"""Progress for the commands: a tqdm bar on a terminal, one plain line per step otherwise (logs, CI, pipes).

An assessment takes from seconds to minutes; a command that says nothing for a minute looks hung. The steps are the
engine's own (open, check dates, count each data set, populations, compare and suppress, write), so the same words
appear whatever shows them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

STEPS_HINT = 7  # a typical run's number of steps, for the bar's length; more or fewer is fine


class Progress:
    """Call it with each step's description; `close()` when done."""

    def __init__(self, stream: TextIO | None = None, *, bar: bool | None = None):
        self.stream = stream or sys.stderr
        self.bar = None
        if bar if bar is not None else _is_terminal(self.stream):
            from tqdm import tqdm

            self.bar = tqdm(total=STEPS_HINT, file=self.stream, unit="step", leave=False, dynamic_ncols=True)
        self.count = 0

    def __call__(self, step: str) -> None:
        self.count += 1
        if self.bar is not None:
            if self.count > self.bar.total:
                self.bar.total = self.count
            self.bar.set_description_str(step)
            self.bar.update(1)
        else:
            print(f"[{self.count}] {step}", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


Step = Callable[[str], None]
