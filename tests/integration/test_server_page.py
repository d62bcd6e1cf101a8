"""The head-office page in a real headless Chromium (Debian's chromium + chromium-driver, Selenium)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
import pytest

from .server_helpers import change, events, vehicle_payload
from .server_process import Server

PASSWORD = "hq-admin-pass-1"
SHOTS = Path(os.environ.get("RENEWDESK_SHOTS", "/tmp/shots/server"))


def _chrome():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not chromium or not Path(driver).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium and chromium-driver are required in CI (apt: chromium chromium-driver)")
        pytest.skip("no chromium / chromedriver here")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,900", "--lang=zh-CN"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(driver), options=opts)


def _submit_and_wait(browser, button, text: str) -> None:
    """Click a submit button and wait (bounded) until the next page shows `text`."""
    from selenium.webdriver.support.ui import WebDriverWait

    old = browser.find_element("tag name", "html")
    button.click()
    WebDriverWait(browser, 30).until(lambda b: _stale(old) and text in b.page_source)


def _open(browser, url: str, text: str) -> None:
    """Load a page and wait (bounded) until it shows `text`."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 30).until(lambda b: text in b.page_source)


def _stale(element) -> bool:
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True


@pytest.fixture
def browser():
    b = _chrome()
    b.set_page_load_timeout(60)
    yield b
    b.quit()


@pytest.fixture
def hq(tmp_path):
    s = Server(f"sqlite:///{tmp_path / 'hq.db'}", tmp_path, env={"RENEWDESK_SERVER_ADMIN_PASSWORD": PASSWORD}).start()
    yield s
    s.stop()


def _push(hq, auth, changes, head=None):
    body = {"changes": changes} | ({"audit_head": head} if head else {})
    return httpx.post(hq.url + "/v1/sync/push", json=body, headers=auth, timeout=60).json()


def test_manager_logs_in_sees_counters_creates_a_code_and_revokes(hq, browser):
    from selenium.webdriver.common.by import By

    town, town_auth, _ = hq.enroll("乡镇柜台", "城东店")
    main, main_auth, _ = hq.enroll("1号柜台", "总店")
    _push(hq, town_auth, events(town, 1, 3), head={"seq": 17, "hash": "9f" * 32})
    _push(hq, town_auth, [change(town, 4, "vehicle", vehicle_payload(plate="粤Z1")),  # rejected: bad plate
                          change(town, 5, ahead_ms=3 * 86_400_000)])  # clock 3 days ahead: held back

    _open(browser, hq.url + "/", "管理员密码")
    browser.find_element(By.NAME, "password").send_keys("wrong")
    _submit_and_wait(browser, browser.find_element(By.TAG_NAME, "button"), "密码不对")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    _submit_and_wait(browser, browser.find_element(By.TAG_NAME, "button"), "登记新柜台")

    rows = {r.find_elements(By.TAG_NAME, "td")[1].text.split("\n")[0]: r
            for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert set(rows) == {"乡镇柜台", "1号柜台"}
    cells = [td.text for td in rows["乡镇柜台"].find_elements(By.TAG_NAME, "td")]
    assert cells[0] == "城东店" and cells[3] == "3" and cells[4] == "1" and cells[5] == "1"
    assert "时钟快了约 72" in cells[6] and cells[7].startswith("#17 9f9f")
    assert "正常" in [td.text for td in rows["1号柜台"].find_elements(By.TAG_NAME, "td")][6]

    browser.find_element(By.NAME, "branch").send_keys("城西店")
    _submit_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='生成登记码']"), "只显示这一次")
    code = browser.find_element(By.CLASS_NAME, "code").text
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / "head_office_page.png"))
    enrolled = httpx.post(hq.url + "/v1/enroll", json={"code": code, "counter": "西柜台"})
    assert enrolled.status_code == 200

    _open(browser, hq.url + "/", "西柜台")
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr") if "1号柜台" in r.text)
    from selenium.webdriver.support.ui import WebDriverWait

    old = browser.find_element(By.TAG_NAME, "html")
    row.find_element(By.XPATH, ".//button[text()='停用']").click()
    browser.switch_to.alert.accept()
    WebDriverWait(browser, 30).until(lambda b: _stale(old) and "已停用" in b.page_source)
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr") if "1号柜台" in r.text)
    assert "已停用" in row.text
    assert httpx.post(hq.url + "/v1/sync/push", json={"changes": events(main, 1, 1)},
                      headers=main_auth).status_code == 401
    browser.save_screenshot(str(SHOTS / "head_office_revoked.png"))


def test_the_page_is_closed_without_login_and_forms_need_the_session(hq):
    home = httpx.get(hq.url + "/")
    assert home.status_code == 200 and "管理员密码" in home.text and "乡镇" not in home.text
    forged = httpx.post(hq.url + "/codes", data={"branch": "x", "csrf": "guess"})
    assert "请先登录" in forged.text and "class=\"code\"" not in forged.text
    assert PASSWORD not in (hq.data_dir / f"server-{hq.port}.log").read_text(errors="replace")
