"""The address rules: which links people may type, and which are ever rendered as links."""

from __future__ import annotations

import re

import pytest

from interviews.addresses import (
    LinkUse,
    cleaned,
    feed_fetch_address,
    network_problem,
    problem_with,
    tel_link,
    web_link,
)
from interviews.notes.markdown import render


@pytest.mark.parametrize(
    "address",
    [
        "https://meet.example.com/northwind-dana",
        "http://zoom.example.com/j/123?pwd=abc#x",
        "HTTPS://Meet.Example.com/ABC",
        "https://[2001:db8::1]:8443/room",
        "https://bücher.example/raum",
        "  https://meet.example.com/with-spaces-around\n",
    ],
)
def test_web_links_are_accepted(address):
    assert problem_with(address, LinkUse.WEB) is None
    assert web_link(address) == address.strip()


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("javascript:alert(1)", "can run code"),
        ("JaVaScRiPt:alert(1)", "can run code"),
        ("data:text/html;base64,PHNjcmlwdD4=", "can run code"),
        ("vbscript:msgbox(1)", "can run code"),
        ("file:///etc/passwd", "“file:” links are not accepted"),
        ("ftp://files.example.com/recording.mp4", "“ftp:” links are not accepted"),
        ("mailto:dana@example.com", "“mailto:” links are not accepted"),
        ("webcal://calendar.example.com/cal.ics", "“webcal:” links are not accepted"),
        ("//evil.example.com/x", "no scheme"),
        ("meet.example.com/northwind", "not a full address"),
        ("http:", "no server name"),
        ("http:/meet.example.com", "no server name"),
        ("https:///path-only", "no server name"),
        ("https://meet.example.com@evil.example/", "user name and password"),
        ("https://user:secret@meet.example.com/", "user name and password"),
        ("https://meet.example.com:99999/", "port"),
        ("https://[::1/", "not valid"),
        ("https:\\\\evil.example.com", "characters a link cannot have"),
        ('https://meet.example.com/"onmouseover=alert(1)', "characters a link cannot have"),
        ("https://" + "a" * 500 + ".example.com", "longer than 500 characters"),
    ],
)
def test_anything_but_a_web_link_is_refused_with_the_reason(address, says):
    problem = problem_with(address, LinkUse.WEB)

    assert problem is not None and says in problem
    assert web_link(address) is None
    with pytest.raises(ValueError, match="."):
        cleaned(address, LinkUse.WEB)


@pytest.mark.parametrize(
    "address",
    [
        " javascript:alert(1)",
        "\tjavascript:alert(1)",
        "\x00javascript:alert(1)",
        "\x01https://meet.example.com/",
        "\x0cjavascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "https://meet.example.com/\u202eexe.txt",
        "https://meet\u200b.example.com/",
        "\u00a0https://meet.example.com/",
        "https://meet.example.com/\ud800",
    ],
)
def test_whitespace_or_control_characters_cannot_smuggle_a_scheme(address):
    assert web_link(address) is None
    assert problem_with(address, LinkUse.WEB) is not None


def test_an_empty_address_is_a_problem_the_caller_may_treat_as_optional():
    assert problem_with("", LinkUse.WEB) == "Paste the address here."
    assert web_link("") is None and web_link(None) is None


@pytest.mark.parametrize(
    ("typed", "fetched"),
    [
        (
            "webcal://p01-caldav.icloud.com/published/2/abc",
            "https://p01-caldav.icloud.com/published/2/abc",
        ),
        ("WEBCAL://calendar.example.com/x.ics", "https://calendar.example.com/x.ics"),
        ("webcals://calendar.example.com/x.ics", "https://calendar.example.com/x.ics"),
        ("https://calendar.example.com/x.ics", "https://calendar.example.com/x.ics"),
        ("http://calendar.example.com/x.ics", "http://calendar.example.com/x.ics"),
    ],
)
def test_calendar_feeds_take_webcal_and_read_it_as_https(typed, fetched):
    assert problem_with(typed, LinkUse.FEED) is None
    assert feed_fetch_address(typed) == fetched


@pytest.mark.parametrize(
    "typed",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://example.com/cal.ics",
        "//cal.example.com/x",
    ],
)
def test_calendar_feeds_refuse_everything_else(typed):
    assert problem_with(typed, LinkUse.FEED) is not None
    with pytest.raises(ValueError, match="https:// or webcal://|no scheme"):
        feed_fetch_address(typed)


def test_a_feed_may_be_longer_than_a_video_link_but_not_endless():
    long_feed = "https://calendar.example.com/" + "k" * 1500 + ".ics"
    assert problem_with(long_feed, LinkUse.FEED) is None
    assert problem_with(long_feed, LinkUse.WEB) is not None
    assert "longer than 2,000" in problem_with(long_feed + "k" * 600, LinkUse.FEED)


def test_notes_may_also_link_an_email_address():
    assert problem_with("mailto:dana@example.com", LinkUse.NOTE) is None
    assert problem_with("mailto:", LinkUse.NOTE) is not None
    assert problem_with("https://example.com/a", LinkUse.NOTE) is None
    assert problem_with("/interviews/3", LinkUse.NOTE) is not None
    assert problem_with("javascript:alert(1)", LinkUse.NOTE) is not None


@pytest.mark.parametrize(
    ("phone", "link"),
    [
        ("+49 30 1234567", "tel:+49301234567"),
        ("+1 (415) 555-0100", "tel:+14155550100"),
        ("030.123.4567", "tel:0301234567"),
        ("javascript:alert(1)", None),
        ("call Dana on Zoom", None),
        ("12", None),
        ("", None),
        (None, None),
    ],
)
def test_phones_become_tel_links_only_when_they_are_numbers(phone, link):
    assert tel_link(phone) == link


@pytest.mark.parametrize(
    ("ip", "says"),
    [
        ("127.0.0.1", "this server itself"),
        ("127.8.9.10", "this server itself"),
        ("::1", "this server itself"),
        ("::ffff:127.0.0.1", "this server itself"),
        ("10.1.2.3", "private network"),
        ("172.16.0.5", "private network"),
        ("192.168.1.1", "private network"),
        ("fc00::1", "private network"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "not on the public internet"),
        ("100.64.0.1", "not on the public internet"),
        ("2002:7f00:1::", "this server itself"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a01:203", "private network"),  # NAT64 wrapping 10.1.2.3
    ],
)
def test_addresses_off_the_public_internet_are_named(ip, says):
    problem = network_problem(ip)
    assert problem is not None and says in problem


@pytest.mark.parametrize("ip", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_are_fine(ip):
    assert network_problem(ip) is None


@pytest.mark.parametrize(
    ("markdown", "href"),
    [
        ("[call](https://meet.example.com/x)", "https://meet.example.com/x"),
        ("[write](mailto:dana@example.com)", "mailto:dana@example.com"),
        ("<dana@example.com>", "mailto:dana@example.com"),
        ("[x](//evil.example.com/x)", None),
        ("[x](/interviews/3)", None),
        ("[x](JaVaScRiPt:alert(1))", None),
        ("[x](vbscript:msgbox(1))", None),
        ("[x](ftp://files.example.com/a)", None),
        ("[x](http:no-host)", None),
    ],
)
def test_links_in_notes_follow_the_same_rules(markdown, href):
    html = str(render(markdown))

    found = re.findall(r'href="([^"]*)"', html)
    assert found == ([href] if href else []), html
