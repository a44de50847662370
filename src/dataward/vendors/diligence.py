"""Record questionnaire answers with evidence and the responsibilities matrix; list both."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from dataward.controls.attestations import store_evidence
from dataward.core import audit
from dataward.core.clients import ensure_operation
from dataward.core.engine.permissions import Action
from dataward.core.workspace import Workspace
from dataward.errors import DatawardError
from dataward.vendors import records
from dataward.vendors.engine import questionnaire as q
from dataward.vendors.engine import responsibilities as r
from dataward.vendors.engine.register import key
from dataward.vendors.models import QuestionnaireAnswer, QuestionnaireSubmission, Responsibility

GAP_COLUMNS = ["question", "section", "problem", "detail"]
STATUS_COLUMNS = ["question", "section", "required", "answer", "state", "evidence", "answered_on"]
DUTY_COLUMNS = ["activity", "responsible", "accountable", "note", "covers", "set_by", "set_at"]


def _read_yaml(path: Path) -> Any:
    """Return a YAML document, or a one-line error naming the file (never its content)."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DatawardError(f"cannot read ({exc.strerror})", str(path), "check the path") from None
    except (UnicodeDecodeError, yaml.YAMLError):
        raise DatawardError("is not valid YAML", str(path), "fix the file") from None


def _answered_on(data: Any, where: str, today: date) -> date:
    """Return the date the answers were given (default today), never in the future."""
    raw = data.get("answered_on") if isinstance(data, dict) else None
    if raw is None or not str(raw).strip():
        return today
    try:
        day = q.as_day(raw)
    except ValueError:
        raise DatawardError("answered_on is not a date", where, "write YYYY-MM-DD") from None
    if day > today:
        raise DatawardError("answered_on is in the future", where, "give the date of the answers")
    return day


def answer(ws: Workspace, name: str, path: Path, evidence: list[Path]) -> dict[str, Any]:
    """Validate an answers file and record it with its evidence; return the gaps left."""
    ws.require(Action.IMPORT, None)
    op = ensure_operation(ws)
    v = records.find(ws, name)
    template = q.load_template()
    today = ws.clock().date()
    data = _read_yaml(path)
    named = data.get("vendor") if isinstance(data, dict) else None
    if named and key(str(named)) != v.key:
        raise DatawardError("the file answers for another vendor", str(path), "check 'vendor:'")
    names = [p.name for p in evidence]
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice:
        raise DatawardError(f"two evidence files named {twice!r}", "--evidence", "rename one")
    given = q.parse_answers(data, template, names, str(path), today)
    on = _answered_on(data, str(path), today)
    files = {p.name: store_evidence(ws, p) for p in evidence}  # content-addressed, safe to keep
    with transaction.atomic():
        stored = QuestionnaireAnswer.objects.for_client(op).filter(vendor=v)
        replaced = stored.filter(question__in=[g.question for g in given])
        before = {a.question: a.value for a in replaced.order_by("question")} or None
        sub = QuestionnaireSubmission.objects.create(
            client=op,
            vendor=v,
            template_version=template.version,
            answered_on=on,
            source=path.name,
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            files=list(files.values()),
            recorded_by=ws.actor.name,
            recorded_at=ws.clock(),
        )
        for g in given:
            QuestionnaireAnswer.objects.for_client(op).update_or_create(
                vendor=v,
                question=g.question,
                defaults={
                    "client": op,
                    "submission": sub,
                    "value": g.value,
                    "comment": g.comment,
                    "evidence": [files[n] for n in g.evidence],
                    "answered_on": on,
                },
            )
        after = {g.question: g.value for g in given}
        detail = {
            "answers": len(given),
            "template": template.version,
            "files": [f["sha256"] for f in files.values()],
            "answered_on": str(on),
        }
        audit.record(ws, "vendor.questionnaire", None, "vendor", v.name, before, after, detail)
    facts = records.facts(op, [v])[v.pk]
    gaps = [g.__dict__ for g in q.gaps(template, facts, today)]
    return {"vendor": v.name, "tier": facts.tier, "answers": len(given), "gaps": gaps}


def status_rows(ws: Workspace, name: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the vendor's tier and, per question that concerns it, its answer and state."""
    op = ensure_operation(ws)
    v = records.find(ws, name)
    facts = records.facts(op, [v])[v.pk]
    template, today = q.load_template(), ws.clock().date()
    problems = {g.question: g.problem for g in q.gaps(template, facts, today)}
    stored = {a.question: a for a in QuestionnaireAnswer.objects.for_client(op).filter(vendor=v)}
    rows = []
    for question in template.questions:
        a = stored.get(question.id)
        if not question.applies(facts) and a is None:
            continue
        state = problems.get(question.id) or ("ok" if a is not None else "optional")
        rows.append(
            {
                "question": question.id,
                "section": question.section,
                "required": question.required(facts),
                "answer": a.value if a else None,
                "state": state,
                "answered_on": a.answered_on if a else None,
                "evidence": ", ".join(f"{e['name']} ({e['sha256'][:12]})" for e in a.evidence)
                if a
                else "",
            }
        )
    return facts.tier, rows


def duty_rows(ws: Workspace, name: str) -> list[dict[str, Any]]:
    """Return the vendor's responsibilities matrix; unassigned default activities included."""
    op = ensure_operation(ws)
    v = records.find(ws, name)
    stored = {d.activity: d for d in Responsibility.objects.for_client(op).filter(vendor=v)}
    assigned = {
        a: r.Assignment(a, tuple(d.responsible), d.accountable, d.note) for a, d in stored.items()
    }
    rows: list[dict[str, Any]] = []
    for entry in r.matrix(assigned):
        act = entry if isinstance(entry, str) else entry.activity
        row: dict[str, Any] = {"activity": act, "covers": r.ACTIVITIES.get(act, "")}
        if isinstance(entry, str):
            row.update(responsible="unassigned", accountable="unassigned")
        else:
            d = stored[act]
            row.update(
                responsible=list(entry.responsible),
                accountable=entry.accountable,
                note=entry.note,
                set_by=d.set_by,
                set_at=d.set_at,
            )
        rows.append(row)
    return rows


def set_duty(
    ws: Workspace,
    name: str,
    activity: str,
    responsible: list[str],
    accountable: list[str],
    note: str = "",
) -> bool:
    """Set who is responsible and who accountable for one activity; return whether it changed."""
    ws.require(Action.IMPORT, None)
    op = ensure_operation(ws)
    v = records.find(ws, name)
    act = r.activity_name(activity)
    who = list(r.parties(responsible, "--responsible", one=False))
    boss = r.parties(accountable, "--accountable", one=True)[0]
    with transaction.atomic():
        row = Responsibility.objects.for_client(op).filter(vendor=v, activity=act).first()
        before = (
            {"responsible": row.responsible, "accountable": row.accountable, "note": row.note}
            if row
            else None
        )
        after = {"responsible": who, "accountable": boss, "note": note}
        if before == after:
            return False
        if row is None:
            row = Responsibility(client=op, vendor=v, activity=act)
        row.responsible, row.accountable, row.note = who, boss, note
        row.set_by, row.set_at = ws.actor.name, ws.clock()
        row.save()
        audit.record(ws, "vendor.responsibility", None, "vendor", f"{v.name}:{act}", before, after)
    return True


def clear_duty(ws: Workspace, name: str, activity: str) -> bool:
    """Remove one activity's assignment; return whether there was one."""
    ws.require(Action.IMPORT, None)
    op = ensure_operation(ws)
    v = records.find(ws, name)
    act = r.activity_name(activity)
    with transaction.atomic():
        row = Responsibility.objects.for_client(op).filter(vendor=v, activity=act).first()
        if row is None:
            return False
        before = {"responsible": row.responsible, "accountable": row.accountable, "note": row.note}
        Responsibility.objects.for_client(op).filter(pk=row.pk).delete()
        audit.record(ws, "vendor.responsibility.clear", None, "vendor", f"{v.name}:{act}", before)
    return True
