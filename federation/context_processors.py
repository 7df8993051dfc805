from federation.scope import scopes_of


def scopes(request):
    """The signed-in user's scopes, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_scopes": scopes_of(user)}
