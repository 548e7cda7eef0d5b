"""Who is acting: the signed-in staff member, from which device and address."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from server.auth.models import Role


@dataclass(frozen=True)
class Actor:
    user_id: uuid.UUID
    role: Role
    display_name: str = ""
    device_id: uuid.UUID | None = None
    ip_address: str = ""

    @property
    def sees_all_activities(self) -> bool:
        """Coordinators and admins see every activity; others only those assigned to them."""
        return self.role in (Role.COORDINATOR, Role.ADMIN)
