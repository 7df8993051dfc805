from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from federation.models import Notification


@login_required
def notifications(request):
    items = Notification.objects.filter(user=request.user)[:100]
    return render(request, "notifications.html", {"items": items})


@login_required
@require_POST
def read_all(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications")
