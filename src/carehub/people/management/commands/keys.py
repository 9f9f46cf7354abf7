"""`carehub keys rotate`: the old name of `carehub datakeys rotate`, kept because operators' runbooks use it.

"keys" alone did not say which keys (data keys, linkage keys, API keys and idempotency keys all live in Care Hub);
the command is `datakeys` now, and this alias runs the very same command.
"""

from carehub.people.management.commands.datakeys import Command

__all__ = ["Command"]
