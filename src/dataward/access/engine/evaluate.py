"""Run the access rules over one client's data; each rule backs one registered check."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dataward.access.engine import rules_grants, rules_people
from dataward.access.engine.context import Context
from dataward.access.engine.model import AccessData, RuleOutcome

Rule = Callable[[Context], RuleOutcome]

#: Check id -> rule, for checks run per client.
CLIENT_RULES: dict[str, Rule] = {
    "access_leavers_have_no_active_accounts": rules_people.leavers,
    "access_movers_lose_old_access": rules_grants.movers,
    "access_no_dormant_accounts": rules_people.dormant,
    "access_no_shared_accounts": rules_people.shared,
    "access_client_system_accounts_have_mfa": rules_people.client_mfa,
    "access_privileged_access_approved": rules_grants.privileged_approval,
    "access_within_role": rules_grants.within_role,
    "access_no_sod_conflicts": rules_grants.sod,
    "access_agents_limited_to_assigned_clients": rules_grants.cross_client,
    "access_no_orphan_accounts": rules_people.orphans,
    "access_exceptions_not_expired": rules_grants.exceptions_expired,
    "access_reviews_current": rules_grants.reviews_current,
}
#: Check id -> rule, for checks run for the operation as a whole.
OPERATION_RULES: dict[str, Rule] = {
    "access_privileged_accounts_have_mfa": rules_people.privileged_mfa,
    "access_unassigned_leavers_have_no_active_accounts": rules_people.leavers,
}


def evaluate(data: AccessData, only: Iterable[str] | None = None) -> dict[str, RuleOutcome]:
    """Return each rule's outcome for this client (or the operation)."""
    rules = OPERATION_RULES if data.operation else CLIENT_RULES
    wanted = set(only) if only is not None else set(rules)
    ctx = Context(data)
    return {rule_id: rule(ctx) for rule_id, rule in rules.items() if rule_id in wanted}
