"""Compile a pySigma rule's parsed condition into a Python predicate over one event.

An event is a mapping of ECS dotted field names to values (str, int, float, bool, lists of
str). Sigma's semantics as the specification gives them: string values match case-insensitively
with ``*`` and ``?`` wildcards unless ``|cased``; a list-valued field matches when any element
does; a missing field matches only ``null``. What cannot be evaluated in-process (placeholders
without a pipeline, unknown value types) raises ``NotEvaluableError`` with the reason: the rule is
reported, never silently left unmatched.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule
from sigma.types import (
    CompareOperators,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SpecialChars,
)

Event = Mapping[str, Any]
Predicate = Callable[[Event], bool]


class NotEvaluableError(Exception):
    """A rule (or part of one) the in-process evaluator cannot run, with the reason."""


def compile_rule(rule: SigmaRule) -> Predicate:
    """Return one predicate for the rule's condition(s); several conditions are ORed."""
    try:
        trees = [c.parse() for c in rule.detection.parsed_condition]
    except SigmaError as exc:
        raise NotEvaluableError(f"condition does not parse: {exc}") from exc
    preds = [_node(t) for t in trees]
    if len(preds) == 1:
        return preds[0]
    return lambda ev: any(p(ev) for p in preds)


def fields_of(rule: SigmaRule) -> set[str]:
    """Return every field name the rule's detection reads."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, ConditionFieldEqualsValueExpression):
            found.add(node.field)
            if isinstance(node.value, SigmaFieldReference):
                found.add(node.value.field)
        for arg in getattr(node, "args", None) or []:
            walk(arg)

    for cond in rule.detection.parsed_condition:
        walk(cond.parse())
    return found


def _node(node: Any) -> Predicate:
    """Return the predicate of one node of the condition tree."""
    if isinstance(node, ConditionAND):
        return _all(tuple(_node(a) for a in node.args))
    if isinstance(node, ConditionOR):
        return _any(tuple(_node(a) for a in node.args))
    if isinstance(node, ConditionNOT):
        inner = _node(node.args[0])
        return lambda ev: not inner(ev)
    if isinstance(node, ConditionFieldEqualsValueExpression):
        return _field(node.field, node.value)
    if isinstance(node, ConditionValueExpression):
        return _keyword(node.value)
    raise NotEvaluableError(f"condition element {type(node).__name__} is not supported")


def _all(parts: tuple[Predicate, ...]) -> Predicate:
    """Return the conjunction, unrolled for the common short cases (the hot path)."""
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        a, b = parts
        return lambda ev: a(ev) and b(ev)
    if len(parts) == 3:
        a, b, c = parts
        return lambda ev: a(ev) and b(ev) and c(ev)
    return lambda ev: all(p(ev) for p in parts)


def _any(parts: tuple[Predicate, ...]) -> Predicate:
    """Return the disjunction, unrolled for the common short cases."""
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        a, b = parts
        return lambda ev: a(ev) or b(ev)
    return lambda ev: any(p(ev) for p in parts)


def _field(name: str, value: Any) -> Predicate:
    """Return the predicate comparing one field with one Sigma value."""
    if isinstance(value, SigmaNull):
        return lambda ev: _empty(ev.get(name))
    if isinstance(value, SigmaExists):
        want = value.exists
        return lambda ev: (not _empty(ev.get(name))) == want
    if isinstance(value, SigmaFieldReference):
        return _fieldref(name, value)
    test = _value_test(value)

    def pred(ev: Event) -> bool:
        got = ev.get(name)
        if got is None:
            return False
        if isinstance(got, list):
            return any(test(v) for v in got if v is not None)
        return test(got)

    return pred


def _keyword(value: Any) -> Predicate:
    """Return a keyword search: the value anywhere in any string field of the event.

    Keywords are searched as terms, as SIEMs do: a plain keyword matches inside longer text.
    """
    if isinstance(value, SigmaString) and not isinstance(value, SigmaCasedString):
        many = SpecialChars.WILDCARD_MULTI
        if not value.startswith(many):
            value = SigmaString("*") + value
        if not value.endswith(many):
            value = value + SigmaString("*")
    test = _value_test(value)

    def pred(ev: Event) -> bool:
        for got in ev.values():
            items = got if isinstance(got, list) else (got,)
            if any(isinstance(v, str) and test(v) for v in items):
                return True
        return False

    return pred


def _value_test(value: Any) -> Callable[[Any], bool]:
    """Return a test of one (non-null) event value against a Sigma value."""
    if isinstance(value, SigmaExpansion):  # windash, base64offset: any of the variants
        tests = [_value_test(v) for v in value.values]
        return lambda v: any(t(v) for t in tests)
    if isinstance(value, SigmaCasedString):
        return _string_test(value, cased=True)
    if isinstance(value, SigmaString):
        return _string_test(value, cased=False)
    if isinstance(value, SigmaBool):
        return _bool_test(value.boolean)
    if isinstance(value, SigmaNumber):
        return _number_test(value.number, CompareOperators.GTE, exact=True)
    if isinstance(value, SigmaCompareExpression):
        return _number_test(value.number.number, value.op, exact=False)
    if isinstance(value, SigmaRegularExpression):
        return _regex_test(value)
    if isinstance(value, SigmaCIDRExpression):
        network = value.network
        return lambda v: _in_network(v, network)
    raise NotEvaluableError(f"value type {type(value).__name__} is not supported in-process")


def _string_test(value: SigmaString, *, cased: bool) -> Callable[[Any], bool]:
    """Return a string comparison: exact, prefix, suffix, substring or wildcard pattern."""
    if value.contains_placeholder():
        raise NotEvaluableError("a %placeholder% needs a processing pipeline to be filled in")
    parts = list(value.s)
    many = SpecialChars.WILDCARD_MULTI
    plain = [p for p in parts if isinstance(p, str)]
    norm: Callable[[str], str] = (lambda s: s) if cased else str.lower
    if all(isinstance(p, str) for p in parts):
        text = norm("".join(plain))
        if not cased:
            return lambda v: (v.lower() if isinstance(v, str) else _text(v).lower()) == text
        return lambda v: _text(v) == text
    if len(parts) == 3 and parts[0] is many and parts[2] is many and isinstance(parts[1], str):
        needle = norm(parts[1])
        return lambda v: needle in norm(_text(v))
    if len(parts) == 2 and parts[1] is many and isinstance(parts[0], str):
        head = norm(parts[0])
        return lambda v: norm(_text(v)).startswith(head)
    if len(parts) == 2 and parts[0] is many and isinstance(parts[1], str):
        tail = norm(parts[1])
        return lambda v: norm(_text(v)).endswith(tail)
    pattern = "".join(
        re.escape(p) if isinstance(p, str) else (".*" if p is many else ".") for p in parts
    )
    flags = re.DOTALL | (0 if cased else re.IGNORECASE)
    compiled = re.compile(pattern, flags)
    return lambda v: compiled.fullmatch(_text(v)) is not None


def _regex_test(value: SigmaRegularExpression) -> Callable[[Any], bool]:
    """Return a regular expression search (Sigma's |re is unanchored, like re.search)."""
    flags = 0
    mapping = {
        SigmaRegularExpressionFlag.IGNORECASE: re.IGNORECASE,
        SigmaRegularExpressionFlag.MULTILINE: re.MULTILINE,
        SigmaRegularExpressionFlag.DOTALL: re.DOTALL,
    }
    for flag in value.flags:
        flags |= mapping.get(flag, 0)
    try:
        compiled = re.compile(value.regexp.to_plain(), flags)
    except re.error as exc:
        raise NotEvaluableError(f"regular expression does not compile: {exc}") from exc
    return lambda v: compiled.search(_text(v)) is not None


def _bool_test(want: bool) -> Callable[[Any], bool]:
    """Return a boolean comparison that also accepts 'true'/'false' text."""

    def test(v: Any) -> bool:
        if isinstance(v, bool):
            return v is want
        return isinstance(v, str) and v.strip().lower() == ("true" if want else "false")

    return test


def _number_test(number: Any, op: Any, *, exact: bool) -> Callable[[Any], bool]:
    """Return a numeric comparison (equality for a plain number, else lt/lte/gt/gte)."""
    target = float(number)

    def test(v: Any) -> bool:
        got = _as_number(v)
        if got is None:
            return False
        if exact:
            return got == target
        if op == CompareOperators.LT:
            return got < target
        if op == CompareOperators.LTE:
            return got <= target
        if op == CompareOperators.GT:
            return got > target
        return got >= target

    return test


def _fieldref(name: str, ref: SigmaFieldReference) -> Predicate:
    """Return a comparison of two fields of the same event (case-insensitive text)."""

    def pred(ev: Event) -> bool:
        a, b = ev.get(name), ev.get(ref.field)
        if _empty(a) or _empty(b):
            return False
        left, right = _text(a).lower(), _text(b).lower()
        if ref.starts_with:
            return left.startswith(right)
        if ref.ends_with:
            return left.endswith(right)
        return left == right

    return pred


def _in_network(v: Any, network: Any) -> bool:
    """Return whether an address value lies inside a network."""
    try:
        return ipaddress.ip_address(_text(v).strip()) in network
    except ValueError:
        return False


def _as_number(v: Any) -> float | None:
    """Return a value as a number, or None when it is not one."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).strip())
    except ValueError:
        return None


def _text(v: Any) -> str:
    """Return an event value as text (booleans as 'true'/'false')."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _empty(v: Any) -> bool:
    """Return whether a value counts as null in Sigma: missing, None, or empty text."""
    return v is None or v == "" or v == []
