from federation.models import Notification
from federation.notices import catch_up
from federation.scope import scopes_of


def scopes(request):
    """The signed-in user's scopes, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    catch_up(user)
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count
    return {"user_scopes": scopes_of(user), "unread_notifications": unread}
