import io
import json
import re

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user picked another language (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; county cadres on a
    borrowed or English-set phone should still see the federation's Chinese UI.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen and translation.check_for_language(chosen) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RejectUnstorableTextMiddleware:
    """A 400 for text the database cannot store: a NUL character (or a lone surrogate, which JSON can
    escape) in the path, the query string, a form field, a file name or a JSON body.

    PostgreSQL text cannot hold NUL: the write failed with a DataError (a 500) while SQLite stored
    it. Checked here once for every page and API view, before any of them runs. File contents are
    not text and are not checked.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _unstorable_request(request):
            message = gettext("The request contains a NUL character or another character that cannot be stored.")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value):
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(v) for v in value)
    return False


def _unstorable_form(data, files):
    return any(_unstorable(k) or _unstorable(v) for k, values in data.lists() for v in values) or any(
        _unstorable(k) or _unstorable(f.name) for k, f in files.items()
    )


def _unstorable_request(request):
    if _unstorable(request.path_info) or _unstorable_form(request.GET, {}):
        return True
    if request.content_type in ("application/json", "application/merge-patch+json"):
        try:
            return _unstorable(json.loads(request.body))
        except ValueError:
            return False  # the view answers malformed JSON
    if request.content_type == "multipart/form-data":
        try:
            if request.method == "POST":
                return _unstorable_form(request.POST, request.FILES)
            # Django parses forms of POST only; DRF reads PUT and PATCH from the body kept here.
            return _unstorable_form(*request.parse_file_upload(request.META, io.BytesIO(request.body)))
        except MultiPartParserError:
            return False  # the view answers a malformed form
    if request.content_type == "application/x-www-form-urlencoded":
        data = request.POST if request.method == "POST" else QueryDict(request.body, encoding=request.encoding)
        return _unstorable_form(data, {})
    return False
