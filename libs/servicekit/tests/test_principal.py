"""Roles map to each service's scopes; admin holds all, auditor all reads."""

from __future__ import annotations

import pytest

from servicekit.auth import ADMIN, AUDITOR, COLLECTOR, POSTER, Principal, role_map

ROLES = role_map(
    "svc",
    reads=["svc:read"],
    writes=["svc:post", "svc:chase"],
    grants={POSTER: ["svc:read", "svc:post"], COLLECTOR: ["svc:read", "svc:chase"]},
)


def test_admin_holds_every_scope_and_auditor_every_read() -> None:
    assert ROLES.scopes_of([ADMIN]) == {"svc:read", "svc:post", "svc:chase", "svc:metrics"}
    assert ROLES.scopes_of([AUDITOR]) == {"svc:read", "svc:metrics"}
    assert ROLES.scopes_of([POSTER, COLLECTOR]) == {"svc:read", "svc:post", "svc:chase"}
    assert ROLES.scopes_of(["stranger"]) == set()


def test_a_principal_may_hold_a_scope_directly() -> None:
    assert ROLES.allows(Principal("a", scopes=frozenset({"svc:post"})), "svc:post")
    assert not ROLES.allows(Principal("a", roles=frozenset({AUDITOR})), "svc:post")


def test_granting_an_undeclared_scope_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="svc:typo"):
        role_map("svc", reads=["svc:read"], writes=[], grants={POSTER: ["svc:typo"]})


def test_on_behalf_of_is_recorded_as_such() -> None:
    svc = Principal("dunning", roles=frozenset({"trusted_service"}), jurisdictions=None)
    assert svc.acting_for("alice").actor == "dunning on behalf of alice"
    assert svc.actor == "dunning"
