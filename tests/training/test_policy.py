"""The requirements file: the example loads, and every mistake is one line naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataward.errors import ImportFileError
from dataward.training.engine.policy import as_dict, from_dict, load_policy
from dataward.training.engine.types import Requirement

EXAMPLE = Path(__file__).resolve().parents[2] / "src/dataward/training/requirements.yaml"
BASE = "courses: [{code: sat, title: Security Awareness}]\n"


def test_the_shipped_example_loads() -> None:
    policy = load_policy(EXAMPLE, {"northbank", "carewell", "telora"})
    assert [c.code for c in policy.courses] == ["security-awareness", "pci-dss", "hipaa", "gdpr"]
    annual, pci = policy.requirements[:2]
    assert annual == Requirement("security-awareness", None, (), 365, 30, "hire", False)
    assert pci == Requirement("pci-dss", "northbank", (), 365, 30, "assignment", True)
    assert policy.phishing.click_rate_threshold == 20.0
    assert (policy.due_soon_days, policy.joiner_days) == (14, 90)
    assert from_dict(as_dict(policy), "stored") == policy  # stored form reads back the same


def test_defaults_roles_clients_and_once() -> None:
    policy = from_dict(
        {
            "courses": [{"code": "pam", "title": "Privileged Access", "aliases": ["PAM 101"]}],
            "requirements": [
                {"course": "pam 101", "roles": ["IT_Admin"], "every_days": "once"},
                {"course": "PAM", "clients": ["a", "b"], "within_days": 0},
            ],
        },
        "x.yaml",
    )
    once, for_a, for_b = policy.requirements
    assert (once.course, once.roles, once.every_days, once.after) == (
        "pam",
        ("it_admin",),
        None,
        "hire",
    )
    assert (for_a.client, for_b.client, for_a.after, for_a.within_days) == (
        "a",
        "b",
        "assignment",
        0,
    )
    assert policy.phishing.min_sample == 30


def _req(body: str) -> str:
    """Return a file with one course and one requirement of it with these extra keys."""
    return BASE + "requirements: [{course: sat" + (f", {body}" if body else "") + "}]\n"


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("courses: [}", ["line 1", "not valid YAML"]),
        ("- just a list", ["file is list, not a mapping"]),
        (BASE + "deadline: 3\n", ["deadline", "not a known key"]),
        (BASE, ["requirements is missing or empty"]),
        (BASE + "requirements: [{course: gdpr}]", ["requirements[1].course", "'gdpr'", "declared"]),
        (_req("every_days: -5"), ["requirements[1].every_days", "-5"]),
        (_req("within_days: soon"), ["requirements[1].within_days"]),
        (_req("after: promotion"), ["requirements[1].after", "hire or assignment"]),
        (_req("before_access: maybe"), ["requirements[1].before_access", "true or false"]),
        (_req("clients: [acme]"), ["requirements[1].clients", "acme"]),
        (_req("roles: {agent: 1}"), ["requirements[1].roles", "list"]),
        (_req("cadence: 3"), ["requirements[1].cadence", "known key"]),
        (BASE + "requirements: [{every_days: 3}]", ["requirements[1].course", "missing"]),
        ("courses: [{code: sat}]\nrequirements: [{course: sat}]", ["courses[1].title", "missing"]),
        ("courses: [{code: 'a b', title: T}]", ["courses[1].code", "not a code"]),
        ("courses: [{code: a, title: T}, {code: b, title: t}]", ["courses[2]", "'t'", "a's"]),
        ("courses: [{code: a, title: T}, {code: A, title: U}]", ["courses[2].code", "repeats"]),
        ("phishing: {click_rate_threshold: 120}\n" + _req(""), ["click_rate_threshold", "percent"]),
        ("phishing: {team: site}\n" + _req(""), ["phishing.team", "department or manager"]),
        ("phishing: {min_sample: 0}\n" + _req(""), ["phishing.min_sample", ">= 1"]),
        ("phishing: 3\n" + _req(""), ["phishing is int, not a mapping"]),
        # names the store cannot keep (PostgreSQL refuses NUL; titles are 200 characters at most)
        ('courses: [{code: a, title: "T\\0"}]', ["courses[1].title", "NUL"]),
        (f"courses: [{{code: a, title: {'T' * 201}}}]", ["courses[1].title", "200 characters"]),
        ('courses: [{code: a, title: T, aliases: ["x\\0"]}]', ["courses[1].aliases", "NUL"]),
    ],
)
def test_mistakes_are_one_line_naming_the_field(
    tmp_path: Path, text: str, needles: list[str]
) -> None:
    path = tmp_path / "req.yaml"
    path.write_text(text)
    with pytest.raises(ImportFileError) as caught:
        load_policy(path, {"northbank"})
    line = caught.value.line()
    assert "\n" not in line
    assert line.startswith(str(path))
    for needle in needles:
        assert needle in line, (needle, line)


def test_a_missing_file() -> None:
    with pytest.raises(ImportFileError, match="file not found"):
        load_policy(Path("/nonexistent/req.yaml"))
