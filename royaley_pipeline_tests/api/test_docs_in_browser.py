"""The API's interactive docs render in a real browser with no internet: Swagger UI and ReDoc."""

from royaley_pipeline_tests.api.server import running_api
from royaley_pipeline_tests.browser import browser_page


def test_docs_and_redoc_render_the_endpoints_offline(tmp_path):
    with running_api(tmp_path, None) as api, browser_page() as page:
        outside, blocked = [], []

        def elsewhere(url: str) -> bool:
            return url.split(":", 1)[0] in ("http", "https", "ws", "wss") and not url.startswith(api.base_url)

        page.on("response", lambda response: outside.append(response.url) if elsewhere(response.url) else None)
        page.on("requestfailed", lambda request: blocked.append((request.url, request.failure))
                if elsewhere(request.url) else None)

        page.goto(f"{api.base_url}/docs")
        operation = page.locator(".opblock-summary-path", has_text="/api/v1/models/{model_id}/promote")
        operation.first.wait_for()
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert {"/api/v1/models", "/api/v1/models/train", "/api/v1/predictions"} <= {p.strip() for p in paths}
        page.screenshot(path=str(tmp_path / "docs.png"), full_page=True)

        page.goto(f"{api.base_url}/redoc")
        page.get_by_text("Royaley API").first.wait_for()
        page.get_by_text("/api/v1/models/train").first.wait_for(state="attached")
        page.screenshot(path=str(tmp_path / "redoc.png"))
        assert not outside, f"the docs fetched from other hosts: {outside}"
        # ReDoc's footer asks for its logo from a CDN; the Content-Security-Policy stops it in the browser.
        assert all("csp" in (failure or "") for _, failure in blocked), blocked
