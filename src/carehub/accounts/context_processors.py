from carehub.accounts import policy


def membership(request) -> dict:
    """The signed-in user's memberships, for the header and navigation."""
    user = getattr(request, "user", None)
    return {"memberships": policy.memberships(user) if user is not None else []}
