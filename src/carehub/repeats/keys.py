"""Linkage keys now live with the person (people.linkage_keys); this name stays for the matching code that imports it.

Repeats may import people (it is the higher app), so this re-export breaks no layer; new code imports
carehub.people.linkage_keys.
"""

from carehub.people.linkage_keys import *  # noqa: F403
