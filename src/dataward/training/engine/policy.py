"""Load and validate the training requirements file (YAML), with errors naming the field.

Shape (see docs/training.md and the shipped example, dataward/training/requirements.yaml)::

    due_soon_days: 14
    joiner_days: 90
    phishing: {click_rate_threshold: 20, min_sample: 30, team: department, window_days: 365}
    courses:
      - {code: security-awareness, title: Annual Security Awareness, aliases: [...]}
    requirements:
      - {course: security-awareness, every_days: 365, within_days: 30, after: hire}
      - {course: pci-dss, clients: [northbank], roles: [agent], before_access: true}
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from dataward.core.engine.tabular import quoted
from dataward.errors import ImportFileError
from dataward.training.engine.types import (
    AFTER,
    TEAM_BY,
    Course,
    PhishingPolicy,
    Policy,
    Requirement,
    course_key,
    role_key,
)

TOP_KEYS = ("due_soon_days", "joiner_days", "phishing", "courses", "requirements")
PHISHING_KEYS = ("click_rate_threshold", "min_sample", "team", "window_days")
COURSE_KEYS = ("code", "title", "aliases")
REQUIREMENT_KEYS = (
    "course", "client", "clients", "roles", "every_days", "within_days", "after", "before_access",
)  # fmt: skip
TEXT_MAX = 200  # the longest course title (or other name) the store keeps
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class _Spec:
    """Validate parsed YAML with errors naming the file and the key path."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, what: str, hint: str) -> ImportFileError:
        return ImportFileError(f"{key} {what}", self.where, hint)

    def mapping(self, value: Any, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, f"is {type(value).__name__}, not a mapping", "write key: value")
        body = {str(k): v for k, v in value.items()}
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            name = f"{key}.{unknown[0]}" if key != "file" else unknown[0]
            raise self.fail(name, "is not a known key", f"use {', '.join(allowed)}")
        return body

    def items(self, value: Any, key: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, f"is {type(value).__name__}, not a list", "write a YAML list")
        return value

    def names(self, value: Any, key: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str | int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or not all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in value
        ):
            raise self.fail(key, "is not a list of names", "write e.g. [agent, team_lead]")
        return tuple(dict.fromkeys(self.plain(v, key) for v in value if str(v).strip()))

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            raise self.fail(key, "is missing or empty", "give it a value")
        return self.plain(value, key)

    def plain(self, value: Any, key: str) -> str:
        """Return a name the store can keep: stripped, no NUL, at most TEXT_MAX characters."""
        text = str(value).strip()
        if "\x00" in text:
            raise self.fail(key, "holds a NUL character", "remove it")
        if len(text) > TEXT_MAX:
            raise self.fail(key, f"is longer than {TEXT_MAX} characters", "shorten it")
        return text

    def whole(self, value: Any, key: str, default: int | None, low: int = 0) -> int | None:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.fail(
                key, f"is {quoted(str(value))}, not a whole number >= {low}", "write e.g. 30"
            )
        return value

    def flag(self, value: Any, key: str) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(
                key, f"is {quoted(str(value))}, not true or false", "write true or false"
            )
        return value

    def choice(self, value: Any, key: str, allowed: tuple[str, ...], default: str) -> str:
        if value is None:
            return default
        text = str(value).strip().lower()
        if text not in allowed:
            raise self.fail(key, f"is {quoted(str(value))}", f"use {' or '.join(allowed)}")
        return text


def _phishing(spec: _Spec, value: Any) -> PhishingPolicy:
    """Return the phishing settings, defaults where a key is absent."""
    body = spec.mapping(value, "phishing", PHISHING_KEYS)
    rate = body.get("click_rate_threshold", 20)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 100:
        raise spec.fail(
            "phishing.click_rate_threshold",
            f"is {quoted(str(rate))}, not a percentage",
            "write e.g. 20",
        )
    return PhishingPolicy(
        click_rate_threshold=float(rate),
        min_sample=spec.whole(body.get("min_sample"), "phishing.min_sample", 30, low=1) or 30,
        team=spec.choice(body.get("team"), "phishing.team", TEAM_BY, "department"),
        window_days=spec.whole(body.get("window_days"), "phishing.window_days", 365, 1) or 365,
    )


def _courses(spec: _Spec, value: Any) -> tuple[Course, ...]:
    """Return the declared courses; codes and titles must not repeat."""
    courses: list[Course] = []
    seen: dict[str, str] = {}
    for n, item in enumerate(spec.items(value, "courses"), start=1):
        key = f"courses[{n}]"
        body = spec.mapping(item, key, COURSE_KEYS)
        code = spec.text(body.get("code"), f"{key}.code")
        if not CODE.match(code):
            raise spec.fail(
                f"{key}.code", f"{quoted(code)} is not a code", "use letters, digits, . _ -"
            )
        course = Course(
            code=code,
            title=spec.text(body.get("title"), f"{key}.title"),
            aliases=spec.names(body.get("aliases"), f"{key}.aliases"),
        )
        if any(c.code.lower() == code.lower() for c in courses):
            raise spec.fail(f"{key}.code", f"{quoted(code)} repeats", "give each course one entry")
        for name in course.names():
            if name in seen and seen[name] != code:
                raise spec.fail(
                    key, f"name {quoted(name)} is also {seen[name]}'s", "make names unique"
                )
            seen[name] = code
        courses.append(course)
    return tuple(courses)


def _requirements(
    spec: _Spec, value: Any, courses: tuple[Course, ...], clients: Collection[str] | None
) -> tuple[Requirement, ...]:
    """Return the requirements, one per client they name (none: workforce-wide)."""
    codes = {name: c.code for c in courses for name in c.names()}
    out: list[Requirement] = []
    for n, item in enumerate(spec.items(value, "requirements"), start=1):
        key = f"requirements[{n}]"
        body = spec.mapping(item, key, REQUIREMENT_KEYS)
        named = spec.text(body.get("course"), f"{key}.course")
        code = codes.get(course_key(named))
        if code is None:
            raise spec.fail(
                f"{key}.course",
                f"{quoted(named)} is not a declared course",
                "add it under courses:",
            )
        slugs = spec.names(body.get("clients"), f"{key}.clients") + spec.names(
            body.get("client"), f"{key}.client"
        )
        slugs = tuple(dict.fromkeys(s.lower() for s in slugs))
        for slug in slugs:
            if clients is not None and slug not in clients:
                raise spec.fail(
                    f"{key}.clients",
                    f"names unknown client {quoted(slug)}",
                    "add it with dataward clients add, or fix the slug",
                )
        every = body.get("every_days")
        if isinstance(every, str) and every.strip().lower() == "once":
            every = None
        elif every is None and "every_days" not in body:
            every = 365
        base = Requirement(
            course=code,
            roles=tuple(
                dict.fromkeys(role_key(r) for r in spec.names(body.get("roles"), f"{key}.roles"))
            ),
            every_days=spec.whole(every, f"{key}.every_days", None, low=1),
            within_days=spec.whole(body.get("within_days"), f"{key}.within_days", 30) or 0,
            after=spec.choice(
                body.get("after"), f"{key}.after", AFTER, "assignment" if slugs else "hire"
            ),
            before_access=spec.flag(body.get("before_access"), f"{key}.before_access"),
        )
        out += [replace(base, client=slug) for slug in slugs] or [base]
    return tuple(out)


def from_dict(data: Any, where: str, clients: Collection[str] | None = None) -> Policy:
    """Return a validated policy from parsed YAML; ``clients`` are the known client slugs."""
    spec = _Spec(where)
    top = spec.mapping(data, "file", TOP_KEYS)
    courses = _courses(spec, top.get("courses"))
    requirements = _requirements(spec, top.get("requirements"), courses, clients)
    if not requirements:
        raise spec.fail("requirements", "is missing or empty", "list who must take which course")
    return Policy(
        courses=courses,
        requirements=requirements,
        phishing=_phishing(spec, top.get("phishing")),
        due_soon_days=spec.whole(top.get("due_soon_days"), "due_soon_days", 14) or 0,
        joiner_days=spec.whole(top.get("joiner_days"), "joiner_days", 90) or 0,
    )


def load_policy(path: Path, clients: Collection[str] | None = None) -> Policy:
    """Read a requirements YAML file, with one-line errors naming the file and the field."""
    if not path.is_file():
        raise ImportFileError("file not found", str(path), "check the path")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path} line {mark.line + 1}" if mark else str(path)
        raise ImportFileError(
            "is not valid YAML", where, "fix the indentation or quoting"
        ) from None
    return from_dict(data, str(path), clients)


def as_dict(policy: Policy) -> dict[str, Any]:
    """Return the policy as plain data, in the file's own shape (one client per requirement)."""
    return {
        "due_soon_days": policy.due_soon_days,
        "joiner_days": policy.joiner_days,
        "phishing": {
            "click_rate_threshold": policy.phishing.click_rate_threshold,
            "min_sample": policy.phishing.min_sample,
            "team": policy.phishing.team,
            "window_days": policy.phishing.window_days,
        },
        "courses": [
            {"code": c.code, "title": c.title, "aliases": list(c.aliases)} for c in policy.courses
        ],
        "requirements": [
            {
                "course": r.course,
                "clients": [r.client] if r.client else [],
                "roles": list(r.roles),
                "every_days": r.every_days if r.every_days is not None else "once",
                "within_days": r.within_days,
                "after": r.after,
                "before_access": r.before_access,
            }
            for r in policy.requirements
        ],
    }
