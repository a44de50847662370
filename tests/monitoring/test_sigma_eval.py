"""The in-process Sigma evaluator follows Sigma's matching rules; what it cannot run is reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sigma.rule import SigmaRule

from dataward.monitoring.engine import rules
from dataward.monitoring.engine.sigma_eval import NotEvaluableError, compile_rule


def matches(detection: str, event: dict[str, Any]) -> bool:
    """Return whether a one-rule detection block matches the event."""
    text = "title: t\nlogsource: {category: test}\ndetection:\n" + detection
    return compile_rule(SigmaRule.from_yaml(text))(event)


@pytest.mark.parametrize(
    ("detection", "event", "expected"),
    [
        ("  s: {user.name: Ana}\n  condition: s", {"user.name": "ANA"}, True),
        ("  s: {user.name: Ana}\n  condition: s", {"user.name": "Anna"}, False),
        ("  s: {user.name|cased: Ana}\n  condition: s", {"user.name": "ANA"}, False),
        ("  s: {msg|contains: port}\n  condition: s", {"msg": "EXPORT done"}, True),
        ("  s: {msg|startswith: exp}\n  condition: s", {"msg": "EXPORT done"}, True),
        ("  s: {msg|endswith: exp}\n  condition: s", {"msg": "EXPORT done"}, False),
        ("  s: {msg: 'ex*t d?ne'}\n  condition: s", {"msg": "export done"}, True),
        ("  s: {msg: 'ex*t d?ne'}\n  condition: s", {"msg": "export dne"}, False),
        ("  s: {msg|contains|all: [a, z]}\n  condition: s", {"msg": "abc"}, False),
        ("  s: {msg|contains|all: [a, c]}\n  condition: s", {"msg": "abc"}, True),
        ("  s: {msg: [x, y]}\n  condition: s", {"msg": "Y"}, True),
        ("  s: {n|gte: 1000}\n  condition: s", {"n": "1000"}, True),
        ("  s: {n|gt: 1000}\n  condition: s", {"n": 1000}, False),
        ("  s: {n|lt: 5}\n  condition: s", {"n": "many"}, False),
        ("  s: {n: 5}\n  condition: s", {"n": 5.0}, True),
        ("  s: {b: true}\n  condition: s", {"b": True}, True),
        ("  s: {b: true}\n  condition: s", {"b": "false"}, False),
        ("  s: {b: false}\n  condition: s", {}, False),
        ("  s: {x: null}\n  condition: s", {}, True),
        ("  s: {x: null}\n  condition: s", {"x": "v"}, False),
        ("  s: {x|exists: true}\n  condition: s", {"x": "v"}, True),
        ("  s: {x|exists: false}\n  condition: s", {"x": "v"}, False),
        ("  s: {ip|cidr: 10.0.0.0/8}\n  condition: s", {"ip": "10.2.3.4"}, True),
        ("  s: {ip|cidr: 10.0.0.0/8}\n  condition: s", {"ip": "not an ip"}, False),
        ("  s: {ip|cidr: '2001:db8::/32'}\n  condition: s", {"ip": "2001:db8::1"}, True),
        ("  s: {msg|re: '^a.c$'}\n  condition: s", {"msg": "abc"}, True),
        ("  s: {msg|re: '^A'}\n  condition: s", {"msg": "abc"}, False),
        ("  s: {msg|re|i: '^A'}\n  condition: s", {"msg": "abc"}, True),
        ("  s: {a|fieldref: b}\n  condition: s", {"a": "X", "b": "x"}, True),
        ("  s: {a|fieldref: b}\n  condition: s", {"a": "X"}, False),
        ("  s: {to: '*@evil.example'}\n  condition: s", {"to": ["a@ok", "b@evil.example"]}, True),
        ("  k: [secret]\n  condition: k", {"msg": "top SECRET stuff"}, True),
        ("  k: [secret]\n  condition: k", {"msg": "nothing"}, False),
        ("  a: {x: 1}\n  b: {y: 2}\n  condition: a and not b", {"x": 1, "y": 3}, True),
        ("  a: {x: 1}\n  b: {y: 2}\n  condition: a and not b", {"x": 1, "y": 2}, False),
        ("  s1: {x: 1}\n  s2: {y: 2}\n  condition: 1 of s*", {"y": 2}, True),
        ("  s1: {x: 1}\n  s2: {y: 2}\n  condition: all of s*", {"y": 2}, False),
        ("  s: {c|windash|contains: ' -enc '}\n  condition: s", {"c": "ps /enc x"}, True),
        ("  s: {c|base64offset|contains: secret}\n  condition: s", {"c": "a c2VjcmV0 b"}, True),
        ("  s: {c|base64offset|contains: secret}\n  condition: s", {"c": "a secret b"}, False),
    ],
)  # fmt: skip
def test_sigma_matching(detection: str, event: dict[str, Any], expected: bool) -> None:
    assert matches(detection, event) is expected


def test_a_placeholder_cannot_be_evaluated() -> None:
    with pytest.raises(NotEvaluableError, match="placeholder"):
        matches("  s: {user.name|expand: '%admins%'}\n  condition: s", {})


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_rules_that_cannot_run_are_reported_with_their_reason(tmp_path: Path) -> None:
    _write(tmp_path, "bad_modifier.yml", "title: Bad\nname: bad\nlogsource: {category: x}\n"
           "detection:\n  s: {a|nosuch: 1}\n  condition: s\n")  # fmt: skip
    _write(tmp_path, "not_yaml.yml", "title: [unclosed\n")
    _write(tmp_path, "absent.yml", "title: Less\nname: less\ncorrelation:\n  type: event_count\n"
           "  rules: [base]\n  group-by: [user.name]\n  timespan: 5m\n  condition: {lt: 3}\n"
           "---\ntitle: Base\nname: base\nlogsource: {category: x}\ndetection:\n  s: {a: 1}\n"
           "  condition: s\n")  # fmt: skip
    _write(tmp_path, "orphan.yml", "title: Orphan\nname: orphan\ncorrelation:\n"
           "  type: event_count\n  rules: [nowhere]\n  group-by: [user.name]\n  timespan: 5m\n"
           "  condition: {gte: 3}\n")  # fmt: skip
    found = rules.load(rules.rule_files([tmp_path]))
    reasons = {b.title: b.reason for b in found.broken}
    assert "nosuch" in reasons["Bad"]
    assert any("not a Sigma document" in r for r in reasons.values())
    assert "absences" in reasons["Less"]
    assert [r.key for r in found.rules] == ["base"]


def test_a_workspace_rule_replaces_the_pack_rule_of_the_same_name(tmp_path: Path) -> None:
    own = _write(tmp_path, "mine.yml", "title: Big export (ours)\nname: bpo_mass_export\n"
                 "logsource: {category: file}\ndetection:\n  s: {record_count|gte: 200}\n"
                 "  condition: s\nlevel: critical\n")  # fmt: skip
    found = rules.load(rules.rule_files([rules.PACK, tmp_path]))
    ours = found.by_key()["bpo_mass_export"]
    assert (ours.title, ours.level, ours.origin) == ("Big export (ours)", "critical", str(own))
    assert [k for k, _, _ in found.replaced] == ["bpo_mass_export"]
    assert ours.predicate({"record_count": 250})
