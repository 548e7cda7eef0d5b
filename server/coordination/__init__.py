"""The coordinators' view of what phones sent: synced rosters with who marked what, when and
from which device; sessions that ended without marks; devices and what they still hold; and
disagreements between devices, which a coordinator resolves (the write kind
`attendance.resolve`). Like reports, it reads every domain; it writes only through the write
path."""
