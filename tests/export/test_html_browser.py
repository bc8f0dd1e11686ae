"""The HTML viewer in headless Chromium: it draws, searches, filters, shows sources, runs no injected script."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from pia_graph.export.flowgraph import flow_graph
from pia_graph.export.writers import export

from .browser import chromium, missing_browser, severe_console_messages

pytestmark = pytest.mark.browser

WHY = missing_browser()
skip_without_browser = pytest.mark.skipif(WHY is not None, reason=WHY or "")


def wait_ready(driver, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = driver.execute_script("return window.piaGraph && window.piaGraph.ready ? "
                                      "JSON.parse(JSON.stringify(window.piaGraph)) : null")
        if state:
            return state
        time.sleep(0.05)
    raise AssertionError("viewer never became ready: " + str(severe_console_messages(driver)))


def state(driver) -> dict:
    return driver.execute_script("return JSON.parse(JSON.stringify(window.piaGraph))")


def painted_pixels(driver) -> int:
    return driver.execute_script("""
        const c = document.getElementById('canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] < 250 || d[i+1] < 250 || d[i+2] < 250) n++;
        return n;""")


def click_node(driver, iri: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    x, y = driver.execute_script("return window.piaGraph.screenOf(arguments[0])", iri)
    canvas = driver.find_element("id", "canvas")
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(x - size["width"] / 2), int(y - size["height"] / 2)).click().perform()


@skip_without_browser
def test_viewer_draws_searches_filters_and_shows_sources(sample, tmp_path, artifacts_dir: Path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    graph = flow_graph(sample)
    page = export(graph, "html", tmp_path / "flows.html")
    html = page.read_text(encoding="utf-8")
    outside_data = re.sub(r'<script type="application/json" id="pia-data">.*?</script>', "", html, flags=re.S)
    assert not re.search(r"(src|href)\s*=", outside_data), "the page must load nothing from anywhere"
    assert "https://" not in outside_data and "http://" not in outside_data

    with chromium() as driver:
        driver.get(page.as_uri())
        first = wait_ready(driver)
        assert first["nodeCount"] == graph.number_of_nodes() == first["drawnNodes"]
        assert first["drawnEdges"] > 0 and first["visibleEdges"] == graph.number_of_edges()
        assert painted_pixels(driver) > 500

        # search box: typed text, Enter → matching node selected, highlighted and centred
        box = driver.find_element(By.ID, "search")
        box.send_keys("孫請", Keys.ENTER)
        time.sleep(0.2)
        after = state(driver)
        assert after["matches"] == ["有限会社孫請サービス"]
        assert after["selected"].endswith("org/sub2")
        assert driver.find_element(By.ID, "search-count").text == "1 件"
        assert "有限会社孫請サービス" in driver.find_element(By.ID, "panel").text

        # method filter: 紙 hides exactly the paper provision; the two-method provision stays
        # while one of its methods is shown
        before = state(driver)["visibleEdges"]
        driver.find_element(By.CSS_SELECTOR, 'input[data-filter="method"][data-value="紙"]').click()
        assert state(driver)["visibleEdges"] == before - 1
        driver.find_element(By.CSS_SELECTOR, 'input[data-filter="method"][data-value="電子メール"]').click()
        assert state(driver)["visibleEdges"] == before - 1
        driver.find_element(By.CSS_SELECTOR,
                            'input[data-filter="method"][data-value="情報提供ネットワークシステム"]').click()
        assert state(driver)["visibleEdges"] == before - 2
        # node-kind filter hides the nodes and their edges
        driver.find_element(By.CSS_SELECTOR, 'input[data-filter="kind"][data-value^="提供先"]').click()
        hidden = state(driver)
        assert hidden["visibleNodes"] == graph.number_of_nodes() - 2
        assert hidden["visibleEdges"] == before - 3  # also the 移転 to the second recipient
        driver.find_element(By.CSS_SELECTOR, 'input[data-filter="kind"][data-value^="提供先"]').click()

        # a real click on a node opens its facts with document, lines and page
        driver.execute_script("window.piaGraph.fit(); window.piaGraph.redraw();")
        file_iri = next(n for n, d in graph.nodes(data=True) if d["label"] == "住民税ファイル")
        click_node(driver, file_iri)
        time.sleep(0.2)
        assert state(driver)["selected"] == file_iri
        panel = driver.find_element(By.ID, "panel").text
        assert "住民税ファイル" in panel
        assert "t1.pdf 行 40 p.3" in panel          # the node's own span
        assert "t1.pdf 行 60–61 p.4" in panel       # the 委託's span
        assert "架空番号法第19条第8号" in panel

        # pan and zoom keep drawing
        driver.execute_script("window.piaGraph.zoom(4)")
        time.sleep(0.1)
        assert state(driver)["renders"] > first["renders"]
        driver.save_screenshot(str(artifacts_dir / "html_viewer_sample.png"))
        assert state(driver)["errors"] == []
        assert severe_console_messages(driver) == []


@skip_without_browser
def test_viewer_runs_no_injected_script(evil_source, tmp_path, artifacts_dir: Path):
    from selenium.webdriver.common.by import By

    graph = flow_graph(evil_source)
    page = export(graph, "html", tmp_path / "evil.html")
    html = page.read_text(encoding="utf-8")
    assert html.count("<script") == 2 and html.count("</script>") == 2
    with chromium() as driver:
        driver.get(page.as_uri())
        ready = wait_ready(driver)
        assert ready["drawnNodes"] == graph.number_of_nodes()
        assert driver.execute_script("return window.__pwned === undefined")
        assert driver.execute_script("return document.querySelectorAll('script').length") == 2
        assert driver.execute_script("return document.querySelectorAll('img').length") == 0
        count = driver.execute_script("return window.piaGraph.search('<script>alert(1)')")
        assert count >= 4
        panel = driver.find_element(By.ID, "panel").text
        assert "<script>alert(1)</script>" in panel  # shown as text
        driver.execute_script("window.piaGraph.select(arguments[0])",
                              next(n for n, d in graph.nodes(data=True) if d["kind"] == "subcontractor"))
        assert driver.execute_script("return window.__pwned === undefined")
        driver.save_screenshot(str(artifacts_dir / "html_viewer_injection.png"))
        assert state(driver)["errors"] == []
        assert severe_console_messages(driver) == []


@skip_without_browser
def test_viewer_on_a_real_store(synthetic_store, tmp_path, artifacts_dir: Path):
    graph = flow_graph(synthetic_store)
    page = export(graph, "html", tmp_path / "synthetic.html")
    with chromium() as driver:
        driver.get(page.as_uri())
        ready = wait_ready(driver)
        assert ready["nodeCount"] == graph.number_of_nodes() > 50
        assert ready["drawnNodes"] > 0 and ready["drawnEdges"] > 0
        contractor = next(d["label"] for _, d in graph.nodes(data=True) if d["kind"] == "contractor")
        assert driver.execute_script("return window.piaGraph.search(arguments[0])", contractor) >= 1
        panel = driver.find_element("id", "panel").text
        assert "synthetic-" in panel  # source lines name the document they were read from
        driver.save_screenshot(str(artifacts_dir / "html_viewer_synthetic.png"))
        assert severe_console_messages(driver) == []
