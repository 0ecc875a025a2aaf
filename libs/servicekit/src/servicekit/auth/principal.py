"""Who is calling, and what they may do: the principal and the roles -> scopes map.

A principal is built from a verified bearer token or API key. Its ``roles`` come from the
identity provider (or the key); each service maps roles to its own scopes with a
:class:`RoleMap`, and every route declares the one scope it needs. ``jurisdictions`` is the
set of entities (``SG``, ``HK`` ...) the caller works for; ``None`` means all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ALL_JURISDICTIONS = "*"

# The organisation's roles (a token's ``roles`` claim); services map them to scopes.
POSTER = "poster"  # internal posting systems: invoices, payments
BILLING_CLERK = "billing_clerk"
CASH_CLERK = "cash_clerk"  # cash / collections clerk: receipts, allocations, refunds
CREDIT_CONTROLLER = "credit_controller"
COLLECTOR = "collector"
BROKER_MANAGER = "broker_manager"
AUDITOR = "auditor"  # reads everything, writes nothing
ADMIN = "admin"
# A service identity that may name the user it acts for (``X-Actor``: "on behalf of").
TRUSTED_SERVICE = "trusted_service"

ROLES = (
    POSTER,
    BILLING_CLERK,
    CASH_CLERK,
    CREDIT_CONTROLLER,
    COLLECTOR,
    BROKER_MANAGER,
    AUDITOR,
    ADMIN,
)


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    subject: str
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()  # granted directly (a token's ``scope`` claim)
    jurisdictions: frozenset[str] | None = frozenset()  # None: every jurisdiction
    on_behalf_of: str | None = None
    via: str = "token"  # token | api-key

    @property
    def actor(self) -> str:
        """What is recorded as the actor of an event or audit record."""
        if self.on_behalf_of:
            return f"{self.subject} on behalf of {self.on_behalf_of}"
        return self.subject

    @property
    def trusted_service(self) -> bool:
        return TRUSTED_SERVICE in self.roles

    @property
    def everywhere(self) -> bool:
        return self.jurisdictions is None

    def sees(self, jurisdiction: str | None) -> bool:
        """May this caller see an object of ``jurisdiction``?"""
        if self.jurisdictions is None:
            return True
        return jurisdiction is not None and jurisdiction.upper() in self.jurisdictions

    def acting_for(self, user: str) -> Principal:
        return Principal(
            subject=self.subject,
            roles=self.roles,
            scopes=self.scopes,
            jurisdictions=self.jurisdictions,
            on_behalf_of=user,
            via=self.via,
        )


def jurisdictions_of(values: Iterable[str] | None) -> frozenset[str] | None:
    """A claim's jurisdictions; ``*`` among them means every jurisdiction."""
    codes = frozenset(str(v).strip().upper() for v in values or () if str(v).strip())
    return None if ALL_JURISDICTIONS in codes else codes


@dataclass(frozen=True)
class RoleMap:
    """One service's scopes, and which roles hold them.

    ``admin`` holds every scope of the service; ``auditor`` every scope in ``reads``.
    """

    service: str
    grants: Mapping[str, frozenset[str]]  # role -> scopes (besides admin / auditor)
    reads: frozenset[str]
    writes: frozenset[str] = field(default_factory=frozenset)

    @property
    def scopes(self) -> frozenset[str]:
        return self.reads | self.writes

    @property
    def metrics_scope(self) -> str:
        """Needed on ``/metrics`` when it is protected (auditors and admins hold it)."""
        return f"{self.service}:metrics"

    def scopes_of(self, roles: Iterable[str]) -> frozenset[str]:
        held: set[str] = set()
        for role in roles:
            if role == ADMIN:
                held |= self.scopes
            elif role == AUDITOR:
                held |= self.reads
            else:
                held |= self.grants.get(role, frozenset())
        return frozenset(held)

    def allows(self, principal: Principal, scope: str) -> bool:
        return scope in principal.scopes or scope in self.scopes_of(principal.roles)


def role_map(
    service: str, reads: Iterable[str], writes: Iterable[str], grants: Mapping[str, Iterable[str]]
) -> RoleMap:
    r, w = frozenset(reads) | {f"{service}:metrics"}, frozenset(writes)
    granted = {role: frozenset(scopes) for role, scopes in grants.items()}
    unknown = {s for scopes in granted.values() for s in scopes} - r - w
    if unknown:
        raise ValueError(f"{service}: roles are granted undeclared scopes {sorted(unknown)}")
    return RoleMap(service=service, grants=granted, reads=r, writes=w)
