"""Reading a JSON request body strictly: a key given twice or a NUL character is refused, never quietly resolved.

Python's `json.loads` keeps the last of two equal keys, so `{"perpetrator_police": "serving", "perpetrator_police":
"no"}` would be read as an ordinary referral; and PostgreSQL cannot store a NUL character, so one that reaches the
database is a server error. Both are named here, by their place in the body, so the caller can be told which field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

NUL = "\x00"
# The same rule for a schema's text fields, as a JSON Schema pattern (the OpenAPI document shows it).
NO_NUL_PATTERN = r"^[^\x00]*$"


@dataclass(frozen=True)
class BodyProblem:
    field: str
    message: str

    def as_error(self) -> dict:
        return {"field": self.field, "message": self.message}


class InvalidJson(ValueError):
    """The body is not JSON at all (or nested too deeply to read)."""


class BodyProblems(ValueError):
    """The body is JSON, but with keys given twice or NUL characters: `problems` names each."""

    def __init__(self, problems: list[BodyProblem]):
        super().__init__("; ".join(f"{p.field} {p.message}" for p in problems))
        self.problems = problems


class _Object(dict):
    """A JSON object that remembers which of its keys were given more than once."""

    repeated: tuple[str, ...] = ()


def _object_from_pairs(pairs: list[tuple[str, object]]) -> _Object:
    result = _Object(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        repeated = [key for key, _ in pairs if key in seen or seen.add(key)]
        result.repeated = tuple(dict.fromkeys(repeated))
    return result


def parse(body: bytes | str) -> object:
    """The body as Python values; objects are dicts that remember repeated keys (see `problems_in`)."""
    try:
        return json.loads(body, object_pairs_hook=_object_from_pairs)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InvalidJson("the body is not valid JSON") from exc


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def problems_in(value: object) -> list[BodyProblem]:
    """Every repeated key and every NUL character in a parsed body, named by its dotted path (`survivor.phone`).

    Walked with an explicit stack: a deeply nested body must not exhaust Python's recursion limit here.
    """
    problems: list[BodyProblem] = []
    stack: list[tuple[str, object]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            problems.extend(
                BodyProblem(_join(path, k), "is given more than once") for k in getattr(item, "repeated", ())
            )
            for key, child in item.items():
                where = _join(path, key.replace(NUL, ""))
                if NUL in key:
                    problems.append(BodyProblem(where, "must not contain a NUL character"))
                stack.append((where, child))
        elif isinstance(item, list):
            stack.extend((_join(path, i), child) for i, child in enumerate(item))
        elif isinstance(item, str) and NUL in item:
            problems.append(BodyProblem(path or "body", "must not contain a NUL character"))
    return sorted(problems, key=lambda p: p.field)


def loads_strict(body: bytes | str) -> object:
    """`json.loads` that raises `InvalidJson` for what is not JSON and `BodyProblems` for repeated keys or NULs."""
    value = parse(body)
    problems = problems_in(value)
    if problems:
        raise BodyProblems(problems)
    return value
