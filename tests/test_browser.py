"""The what-if widgets in a real browser: JupyterLab on localhost, headless Chromium, a slider moved.

Skipped (with the reason) only where Chromium is not installed; `.ci/run` installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "planlib-browser-test"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium not installed (apt-get install chromium); .ci/run installs it"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyter_lab(tmp_path_factory):
    """JupyterLab serving a copy of the notebooks (autosave must not touch the committed ones)."""
    served = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", served / "notebooks")
    port = _free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    env = {**os.environ, "PLANLIB_ROOT": str(ROOT)}
    server = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", "--allow-root",
         f"--ServerApp.root_dir={served}", "--LabApp.expose_app_in_browser=True", "--ServerApp.open_browser=False"],
        cwd=served, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail("JupyterLab did not start within 90 s")
    yield url
    server.terminate()
    server.wait(timeout=30)


def _whatif_table(page) -> str:
    table = page.locator(".jupyter-widgets-output-area table, .widget-output table").last
    table.wait_for(state="visible", timeout=600_000)
    return table.inner_text()


def test_moving_a_slider_recomputes_the_target_table(jupyter_lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{jupyter_lab}/lab/tree/notebooks/03_targets.ipynb?token={TOKEN}")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget && window.jupyterapp.shell.currentWidget.sessionContext", timeout=120_000)
        page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle'", timeout=120_000)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        before = _whatif_table(page)
        assert "annual target" in before

        slider = page.locator(".widget-slider", has_text="mature market tilt").first
        slider.scroll_into_view_if_needed()
        handle = slider.locator(".noUi-handle, .ui-slider-handle").first
        handle.click()
        for _ in range(5):
            handle.press("ArrowRight")
        page.wait_for_function(
            "(old) => { const t = [...document.querySelectorAll('.jupyter-widgets-output-area table, .widget-output table')].pop(); return t && t.innerText !== old; }",
            arg=before, timeout=300_000,
        )
        after = _whatif_table(page)
        browser.close()
    assert after != before
    changed = [line for line in after.splitlines() if line not in before.splitlines()]
    assert any("region:" in line for line in changed), changed  # the region targets moved
