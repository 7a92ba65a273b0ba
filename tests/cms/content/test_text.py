from cms.content.text import render_markdown, sanitize_html


def test_markdown_is_rendered() -> None:
    html = render_markdown("# 办理条件\n\n**年满** 18 周岁\n第二行\n\n| 材料 | 份数 |\n|---|---|\n| 身份证 | 1 |")
    assert "<h1>办理条件</h1>" in html
    assert "<strong>年满</strong>" in html
    assert "<br" in html  # a single newline is a line break for Chinese editors
    assert "<table>" in html
    assert "<td>身份证</td>" in html


def test_scripts_event_handlers_and_javascript_links_are_removed() -> None:
    source = ('<script>alert(1)</script>文字 <img src="a.png" onerror="alert(2)"> '
              '<a href="javascript:alert(3)" onclick="x()">链接</a> <style>p{}</style>'
              '<iframe src="https://evil.example"></iframe>\n\n[md](javascript:alert(4))')
    html = render_markdown(source)
    for forbidden in ("<script", "alert(1)", "onerror", "onclick", "href=\"javascript", "<style", "<iframe"):
        assert forbidden not in html
    assert ">链接</a>" in html  # the link text stays, without its script
    assert '<img src="a.png">' in html
    assert "文字" in html
    assert "链接" in html


def test_sanitized_links_cannot_reach_back_to_the_opener() -> None:
    html = sanitize_html('<a href="https://www.gov.cn">政府网</a>')
    assert 'href="https://www.gov.cn"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_empty_source_renders_empty() -> None:
    assert render_markdown("  \n") == ""
