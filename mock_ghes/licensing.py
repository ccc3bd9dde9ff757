"""Who consumes a license on this GHES (DOMAIN §3), written once as SQL.

The same condition counts `seats_used`, picks the exported users and flags each user in
`/_mock/users`, so the three can never disagree. Suspended users, `ghost` and `scim-admin`
never consume; bots and never-signed-in accounts follow the COUNT_BOTS and
COUNT_NEVER_SIGNED_IN settings because GitHub does not document them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Accounts that exist on every appliance but are nobody's seat.
NEVER_CONSUMING_KINDS = ("ghost", "scim-admin")


@dataclass(frozen=True, slots=True)
class LicenseRules:
    """The two undocumented choices, fixed per app from its settings."""

    count_bots: bool = True
    count_never_signed_in: bool = False

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> LicenseRules:
        """Read the rule switches from the app's settings."""
        return cls(bool(settings["COUNT_BOTS"]), bool(settings["COUNT_NEVER_SIGNED_IN"]))

    def sql(self, table: str = "ghes_users") -> str:
        """A WHERE condition over `table` that is true for a license-consuming account.

        The switches are inlined as 0/1 literals (never user input) so the condition can sit
        inside json_group_array queries and CASE expressions without extra parameters.
        """
        kinds = ", ".join(f"'{k}'" for k in NEVER_CONSUMING_KINDS)
        return (f"({table}.suspended = 0 AND {table}.kind NOT IN ({kinds})"
                f" AND ({table}.kind <> 'bot' OR {int(self.count_bots)})"
                f" AND ({table}.last_active_at IS NOT NULL OR {int(self.count_never_signed_in)}))")

    def describe(self) -> dict[str, Any]:
        """The rules as shown by `/_mock/scenario` and docs."""
        return {"excluded_always": ["suspended", *NEVER_CONSUMING_KINDS],
                "count_bots": self.count_bots, "count_never_signed_in": self.count_never_signed_in}


def seats_available(seats: int | str, used: int) -> int | str:
    """Seats left; "unlimited" stays "unlimited". Negative when over-consumed, as a real overage is."""
    return seats if isinstance(seats, str) else seats - used


def days_until(expire_at: datetime, now: datetime) -> int:
    """Whole days from the app clock's now to expiry (negative once expired)."""
    return (expire_at - now).days
