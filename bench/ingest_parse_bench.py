"""Print lines/s for each log format the monitoring ingest engine parses (no storage)."""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from dataward.monitoring.engine.ingest import Parsed, load_mapping, read_events

LINES = 200_000
START = datetime(2026, 11, 6, 8, 0, tzinfo=UTC)
ACTIONS = ("login", "failed_login", "view_record", "export")


def _when(n: int) -> datetime:
    return START + timedelta(seconds=n)


def _jsonl(rng: random.Random, n: int) -> str:
    record = {
        "@timestamp": _when(n).astimezone().isoformat(timespec="seconds"),
        "event": {
            "action": rng.choice(ACTIONS),
            "category": "authentication",
            "outcome": "success",
        },
        "user": {"name": f"user{rng.randint(1, 500)}@example.com"},
        "client": rng.choice(("telora", "northbank", "carewell")),
        "record_count": rng.randint(0, 300),
        "source": {"ip": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"},
        "host": {"name": "tl-crm-app01"},
    }
    return orjson.dumps(record).decode()


def _syslog(rng: random.Random, n: int) -> str:
    ok = rng.random() < 0.8
    stamp = _when(n).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"<{86 if ok else 84}>1 {stamp} tl-crm-app01 sso - {'LOGIN_OK' if ok else 'LOGIN_FAIL'} "
        f'[auth@32473 user="user{rng.randint(1, 500)}@example.com" client="telora" '
        f'src="10.1.{rng.randint(0, 255)}.{rng.randint(1, 254)}"] login succeeded'
    )


def _bsd(rng: random.Random, n: int) -> str:
    stamp = _when(n).strftime("%b %e %H:%M:%S")
    return (
        f"<38>{stamp} bastion01 sshd[{rng.randint(100, 99999)}]: Accepted publickey for "
        f"user{rng.randint(1, 500)} from 10.1.{rng.randint(0, 255)}.{rng.randint(1, 254)} port 22"
    )


def _csv(rng: random.Random, n: int) -> str:
    if n == 0:
        return "timestamp,user,ip,action,client,records"
    return (
        f"{_when(n).isoformat()},user{rng.randint(1, 500)}@example.com,"
        f"10.1.{rng.randint(0, 255)}.{rng.randint(1, 254)},{rng.choice(ACTIONS)},telora,"
        f"{rng.randint(0, 300)}"
    )


def _windows(rng: random.Random, n: int) -> str:
    record = {
        "EventID": rng.choice((4624, 4625, 4634)),
        "TimeCreated": f"/Date({int(_when(n).timestamp() * 1000)})/",
        "Computer": "DC01.corp.example",
        "ProviderName": "Microsoft-Windows-Security-Auditing",
        "LogName": "Security",
        "EventData": {
            "SubjectUserName": "DC01$",
            "TargetUserName": f"user{rng.randint(1, 500)}",
            "TargetDomainName": "CORP",
            "LogonType": rng.choice(("2", "3", "10")),
            "IpAddress": f"10.1.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "IpPort": "51234",
            "WorkstationName": "WS-0042",
        },
    }
    return orjson.dumps(record).decode()


CASES: dict[str, tuple[str, Callable[[random.Random, int], str]]] = {
    "jsonl (ecs-jsonl)": ("ecs-jsonl", _jsonl),
    "syslog RFC 5424": ("syslog", _syslog),
    "syslog RFC 3164": ("syslog", _bsd),
    "csv": ("csv", _csv),
    "windows JSONL": ("windows-security", _windows),
}


def main() -> None:
    """Write LINES lines per format to a temp dir, parse each file, print lines per second."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        for label, (mapping_name, line) in CASES.items():
            path = Path(tmp) / "log"
            path.write_text("\n".join(line(rng, n) for n in range(LINES)) + "\n")
            mapping = load_mapping(mapping_name)
            began = time.perf_counter()
            parsed = bad = 0
            with path.open("rb") as stream:
                for record in read_events(stream, mapping, now=START + timedelta(days=5)):
                    if isinstance(record, Parsed):
                        parsed += 1
                    else:
                        bad += 1
            took = time.perf_counter() - began
            size = path.stat().st_size / 1e6
            print(
                f"{label:20} {parsed + bad:>8,} lines {size:6.1f} MB  {took:5.2f} s  "
                f"{(parsed + bad) / took:>10,.0f} lines/s  malformed {bad}"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
