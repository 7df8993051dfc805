from django.conf import settings
from django.test import Client


def test_chinese_even_when_the_browser_asks_for_english(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/login/")
    assert '<html lang="zh-hans">' in response.content.decode()


def test_english_when_the_user_picks_it(db):
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302 and client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get("/login/").content.decode()
