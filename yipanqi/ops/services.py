"""Who sees the operations pages: the system administrator (三员分立: not the security
administrator, not the auditor, not caseworkers)."""

SYSTEM_ADMIN = "system_admin"  # accounts.Role.SYSTEM_ADMIN; ops sits below accounts


def may_see_operations(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role == SYSTEM_ADMIN
