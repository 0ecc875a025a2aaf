"""Authentication and authorisation of the receivables services.

Bearer JWTs from an identity provider (verified against its JWKS) or API keys (argon2
hashes in the service's database) become a :class:`Principal`; each route declares the
scope it needs with :func:`requires`; each service maps the organisation's roles to its
scopes in a :class:`RoleMap`; jurisdictions limit which objects a caller sees.
"""

from servicekit.auth.api_keys import ApiKey, ApiKeyStore
from servicekit.auth.edge import (
    Actor,
    Authenticator,
    Caller,
    Requires,
    authenticator_from,
    current_actor,
    current_principal,
    metrics_guard,
    require_everywhere,
    requires,
)
from servicekit.auth.errors import AuthError, Forbidden, Unauthenticated
from servicekit.auth.principal import (
    ADMIN,
    AUDITOR,
    BILLING_CLERK,
    BROKER_MANAGER,
    CASH_CLERK,
    COLLECTOR,
    CREDIT_CONTROLLER,
    POSTER,
    ROLES,
    TRUSTED_SERVICE,
    Principal,
    RoleMap,
    role_map,
)
from servicekit.auth.settings import AuthSettings, LedgerCredentialSettings

__all__ = [
    "ADMIN",
    "AUDITOR",
    "BILLING_CLERK",
    "BROKER_MANAGER",
    "CASH_CLERK",
    "COLLECTOR",
    "CREDIT_CONTROLLER",
    "POSTER",
    "ROLES",
    "TRUSTED_SERVICE",
    "Actor",
    "ApiKey",
    "ApiKeyStore",
    "AuthError",
    "AuthSettings",
    "Authenticator",
    "Caller",
    "Forbidden",
    "LedgerCredentialSettings",
    "Principal",
    "Requires",
    "RoleMap",
    "Unauthenticated",
    "authenticator_from",
    "current_actor",
    "current_principal",
    "metrics_guard",
    "require_everywhere",
    "requires",
    "role_map",
]
