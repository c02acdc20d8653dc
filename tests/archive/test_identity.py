from crawler.archive.identity import (
    article_id,
    choose_canonical,
    content_hash,
    normalize_url,
)


def test_normalize_url_drops_tracking_and_noise():
    a = normalize_url("HTTP://WWW.News.test:80/2024/story?utm_source=x&b=2&a=1#comments")
    assert a == "https://news.test/2024/story?a=1&b=2"
    assert normalize_url("https://news.test/2024/story?a=1&b=2&fbclid=zz") == a


def test_article_id_is_stable_across_url_spellings():
    assert article_id("http://www.news.test/a?utm_medium=rss") == article_id("https://news.test/a")
    assert article_id("https://news.test/a") != article_id("https://news.test/b")


def test_content_hash_ignores_typography_but_not_words():
    base = content_hash("It\u2019s done", "First  paragraph.\n\nSecond\u00a0one.")
    assert base == content_hash("It's done", "First paragraph. Second one.")
    assert base != content_hash("It's done", "First paragraph. Second two.")
    assert base != content_hash("It's over", "First paragraph. Second one.")


def test_canonical_link_trusted_only_on_same_site_and_not_home():
    url = "https://news.test/2024/a"
    assert choose_canonical(url, "https://www.news.test/a-canonical") == (
        "https://www.news.test/a-canonical"
    )
    assert choose_canonical(url, "https://news.test/") == url
    assert choose_canonical(url, "https://other.test/a") == url
    assert choose_canonical(url, None) == url
