#!/usr/bin/python3
"""Browser test of the admin console (GET /console/ on the admin listener).

Runs headless Chromium (Debian's `chromium` and `chromium-driver`) through Selenium 4 against a running
gateway. scripts/console-test.sh starts one (with a local TLS vendor, tokens and shares) and runs this;
it can also be run by hand with the environment below.

Environment:
  CONSOLE_URL           https://127.0.0.1:PORT/console/
  CONSOLE_CA            the development CA (PEM), trusted for the header check (urllib)
  CONSOLE_SERVER_CERT   the admin listener's certificate (PEM): Chromium trusts exactly its public key
                        (--ignore-certificate-errors-spki-list), nothing else
  TOKEN_PROCUREMENT_1, TOKEN_PROCUREMENT_2, TOKEN_CONSENT, TOKEN_AUDITOR, TOKEN_ADMIN
  DPA_VALID, DPA_VALID_VENDOR   a valid agreement (not yet registered) and its vendor id
  DPA_BAD               an agreement with a schema error
  DPA_XSS               an agreement whose vendor name is <img src=x onerror=alert(1)>
  SUBJECT_WITH_SHARES   a subject id that some vendor received (shared entries in the log)
  SCREENSHOT_DIR        where a screenshot of each view is written

Run: python3 Tests/browser/console_test.py  (exit status 0 only when every test passed).
"""

import base64
import hashlib
import json
import os
import shutil
import ssl
import sys
import tempfile
import unittest
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

ENV = os.environ
WAIT = float(ENV.get("CONSOLE_WAIT_SECONDS", "20"))
DPA_NS = "{urn:vendor-gateway:dpa:1}"

EXPECTED_NAV = {
    "admin": ["#/", "#/vendors", "#/register", "#/shares", "#/subjects/", "#/requests", "#/incidents", "#/log"],
    "procurement": ["#/", "#/vendors", "#/register"],
    "consent": ["#/", "#/subjects/", "#/requests"],
    "auditor": ["#/", "#/vendors", "#/shares", "#/subjects/", "#/requests", "#/incidents", "#/log"],
}
TOKENS = {
    "admin": "TOKEN_ADMIN",
    "procurement": "TOKEN_PROCUREMENT_1",
    "consent": "TOKEN_CONSENT",
    "auditor": "TOKEN_AUDITOR",
}


def env(name):
    value = ENV.get(name)
    if not value:
        raise SystemExit(f"console_test: {name} is not set")
    return value


def console_url():
    url = env("CONSOLE_URL")
    return url if url.endswith("/") else url + "/"


def spki_hash(pem_path):
    """base64(SHA-256(SubjectPublicKeyInfo)) of a certificate, as Chromium's SPKI allow-list wants it."""
    with open(pem_path, "rb") as handle:
        certificate = x509.load_pem_x509_certificate(handle.read())
    spki = certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")


def vendor_of(path):
    root = ET.parse(path).getroot()
    vendor = root.find(DPA_NS + "vendor")
    return vendor.get("id"), vendor.get("name")


def fragment_for_subject(subject):
    return "#/subjects/" + urllib.parse.quote(subject, safe="")


class ConsoleTest(unittest.TestCase):
    driver = None
    profile = None
    problems = []

    @classmethod
    def setUpClass(cls):
        cls.url = console_url()
        # Fail fast (not one timeout per test) when nothing serves the console.
        try:
            context = ssl.create_default_context(cafile=env("CONSOLE_CA"))
            with urllib.request.urlopen(cls.url, context=context, timeout=WAIT) as response:
                response.read()
        except Exception as error:  # noqa: BLE001
            raise RuntimeError(f"the console is not served at {cls.url}: {error}") from error
        cls.shots = ENV.get("SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="console-shots-")
        os.makedirs(cls.shots, exist_ok=True)
        cls.profile = tempfile.mkdtemp(prefix="console-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = ENV.get("CHROMIUM", "/usr/bin/chromium")
        options.add_argument("--headless=new")
        options.add_argument("--window-size=1280,800")
        options.add_argument("--no-sandbox")
        options.add_argument("--disable-dev-shm-usage")
        options.add_argument("--disable-gpu")
        options.add_argument("--no-first-run")
        options.add_argument("--disable-extensions")
        options.add_argument("--user-data-dir=" + cls.profile)
        # Trust exactly the gateway's certificate (by its public key); every other certificate error stays fatal.
        options.add_argument("--ignore-certificate-errors-spki-list=" + spki_hash(env("CONSOLE_SERVER_CERT")))
        options.set_capability("acceptInsecureCerts", False)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(executable_path=ENV.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
        cls.driver = webdriver.Chrome(service=service, options=options)
        cls.driver.set_window_size(1280, 800)
        cls.driver.set_page_load_timeout(WAIT * 2)

    @classmethod
    def tearDownClass(cls):
        if cls.driver:
            cls.driver.quit()
        if cls.profile:
            shutil.rmtree(cls.profile, ignore_errors=True)

    def tearDown(self):
        self.assert_no_alert()
        self.check_browser_log()

    # helpers

    def wait(self, seconds=WAIT):
        # Views re-render (a confirmation redraws its request): an element found a moment ago may be gone.
        return WebDriverWait(self.driver, seconds, ignored_exceptions=(StaleElementReferenceException,))

    def css(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def all(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def visible(self, selector, seconds=WAIT):
        try:
            return self.wait(seconds).until(EC.visibility_of_element_located((By.CSS_SELECTOR, selector)))
        except TimeoutException:
            self.shot("timeout-" + "".join(c if c.isalnum() else "_" for c in selector)[:60])
            problems = [p.text for p in self.all(".problem")]
            self.fail(f"{selector} did not appear within {seconds} s; problems shown: {problems}")

    def settled(self):
        """Waits until no part of the view is loading."""
        self.wait().until(
            lambda d: d.execute_script(
                "return document.querySelector('#view [aria-busy=\"true\"], #view .progress') === null"
            )
        )

    def go(self, fragment):
        target = self.url + fragment
        if self.driver.current_url == target:
            self.driver.refresh()
        else:
            self.driver.get(target)
        self.wait().until(lambda d: d.execute_script("return document.body.dataset.role !== undefined"))
        self.settled()

    def shot(self, name):
        """The whole page (beyond the viewport) as SCREENSHOT_DIR/name.png."""
        path = os.path.join(self.shots, name + ".png")
        try:
            size = self.driver.execute_script(
                "return [Math.max(document.documentElement.scrollWidth, window.innerWidth), document.documentElement.scrollHeight]"
            )
            width, height = size[0], min(size[1], 12000)
            data = self.driver.execute_cdp_cmd(
                "Page.captureScreenshot",
                {"format": "png", "captureBeyondViewport": True,
                 "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}},
            )["data"]
            with open(path, "wb") as handle:
                handle.write(base64.b64decode(data))
        except Exception:  # noqa: BLE001 - a plain viewport screenshot is still useful
            self.driver.save_screenshot(path)

    def sign_in(self, token_variable):
        token = env(token_variable)
        self.driver.get(self.url)
        self.wait().until(
            lambda d: d.execute_script("return ['signed-in', 'signed-out'].includes(document.body.dataset.state)")
        )
        if self.css("#session").is_displayed():
            self.css("#sign-out").click()
            self.visible("#token")
        field = self.css("#token")
        field.clear()
        field.send_keys(token)
        self.css("#sign-in").click()
        self.wait().until(
            lambda d: d.execute_script("return document.body.dataset.role !== undefined")
            or d.find_elements(By.CSS_SELECTOR, "#signin-status .problem")
        )
        failures = self.all("#signin-status .problem")
        self.assertFalse(failures, f"sign-in with {token_variable} failed: {[f.text for f in failures]}")
        self.assertNotIn(token, self.driver.current_url, "the token must never be in the URL")
        self.settled()
        return self.driver.execute_script("return document.body.dataset.role")

    def nav(self):
        return [a.get_dom_attribute("href") for a in self.all("nav#nav a")]

    def assert_no_alert(self):
        try:
            alert = self.driver.switch_to.alert
            text = alert.text
            alert.dismiss()
            self.fail(f"an alert fired: {text!r}")
        except NoAlertPresentException:
            pass

    def check_browser_log(self):
        bad = []
        for entry in self.driver.get_log("browser"):
            message = entry.get("message", "")
            if "Content Security Policy" in message or "Refused to" in message:
                bad.append(message)
            elif entry.get("level") == "SEVERE" and ("Uncaught" in message or "SyntaxError" in message or "TypeError" in message):
                bad.append(message)
        self.assertFalse(bad, "browser console errors:\n" + "\n".join(bad))

    def upload(self, path):
        self.go("#/register")
        self.visible("[data-testid=register-form]")
        self.css("#dpa-file").send_keys(os.path.abspath(path))
        self.wait().until(lambda d: d.find_element(By.ID, "dpa-xml").get_attribute("value").strip() != "")
        self.css("#register-submit").click()
        self.wait().until(
            lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid=register-ok], [data-testid=register-result] .problem")
        )

    def table_rows(self, testid):
        return self.all(f"table[data-testid={testid}] tbody tr")

    # tests (run in name order)

    def test_00_console_headers(self):
        context = ssl.create_default_context(cafile=env("CONSOLE_CA"))
        for path, kind in (("", "text/html"), ("app.js", "javascript"), ("style.css", "text/css")):
            with urllib.request.urlopen(self.url + path, context=context, timeout=WAIT) as response:
                self.assertEqual(response.status, 200, path)
                headers = response.headers
                self.assertEqual(headers.get("Content-Security-Policy"), "default-src 'self'; frame-ancestors 'none'", path)
                self.assertEqual(headers.get("X-Content-Type-Options"), "nosniff", path)
                self.assertEqual(headers.get("Referrer-Policy"), "no-referrer", path)
                self.assertIn(kind, headers.get("Content-Type", ""), path)
                body = response.read()
                if path == "":
                    self.assertIn(b'id="token"', body)
                    self.assertNotIn(b"<style", body)
                    self.assertNotIn(b" style=", body)
                    self.assertNotIn(b"<script>", body)

    def test_01_each_role_sees_its_views(self):
        for role, variable in TOKENS.items():
            with self.subTest(role=role):
                self.assertEqual(self.sign_in(variable), role)
                self.assertEqual(self.nav(), EXPECTED_NAV[role])
                self.assertIn(role, self.css("#role").text)
                self.shot(f"overview-{role}")
        self.sign_in("TOKEN_CONSENT")
        self.go("#/log")
        forbidden = self.visible("[data-testid=forbidden-view]")
        self.assertIn("consent", forbidden.text)
        self.assertEqual(forbidden.get_attribute("role"), "alert")

    def test_02_bad_agreement_lists_errors_with_lines(self):
        self.sign_in("TOKEN_PROCUREMENT_1")
        self.upload(env("DPA_BAD"))
        problem = self.visible("[data-testid=register-result] .problem")
        self.assertEqual(problem.get_attribute("role"), "alert")
        lines = [int(li.get_attribute("data-line")) for li in self.all("[data-testid=register-errors] li")]
        self.assertTrue(lines, f"no error list in {problem.text!r}")
        self.assertTrue(all(line > 0 for line in lines), lines)
        self.assertRegex(problem.text, r"line \d+")
        self.shot("register-errors")

    def test_03_register_then_two_person_approval(self):
        vendor = env("DPA_VALID_VENDOR")
        self.sign_in("TOKEN_PROCUREMENT_1")
        self.upload(env("DPA_VALID"))
        ok = self.visible("[data-testid=register-ok]")
        self.assertIn(vendor, ok.text)
        self.assertIn("pending", ok.text)
        self.shot("register-ok")
        self.go("#/vendors")
        self.visible("table[data-testid=vendors-table]")
        first = self.table_rows("vendors-table")[0]
        self.assertIn(vendor, first.text, "a pending approval is listed first")
        self.shot("vendors")
        self.go("#/vendors/" + urllib.parse.quote(vendor, safe=""))
        self.visible("#approve").click()
        problem = self.visible(".action-result .problem")
        self.assertEqual(problem.get_attribute("role"), "alert")
        self.assertIn("other than", problem.text)
        self.shot("vendor-two-person-refusal")

        self.sign_in("TOKEN_PROCUREMENT_2")
        self.go("#/vendors/" + urllib.parse.quote(vendor, safe=""))
        self.visible("#approve").click()
        self.visible("[data-testid=action-result]")
        self.settled()
        status = self.visible("[data-testid=vendor-status]")
        self.assertEqual(status.get_attribute("data-status"), "active")
        self.assertIn("approved", status.text)
        self.assertFalse(self.all(".action-result .problem"))
        self.shot("vendor")

    def test_04_preview(self):
        vendor = env("DPA_VALID_VENDOR")
        self.sign_in("TOKEN_PROCUREMENT_1")
        self.go("#/vendors/" + urllib.parse.quote(vendor, safe=""))
        self.visible("[data-testid=preview-form]")
        self.css("#preview-submit").click()
        result = self.visible("[data-testid=preview-result]")
        self.assertIn(result.get_attribute("data-decision"), ("shared", "refused"))
        self.assertTrue(self.all("[data-testid=preview-body]"))
        if result.get_attribute("data-decision") == "shared":
            rows = self.table_rows("preview-fields")
            self.assertTrue(rows, "each field's action and reason is listed")
        explained = self.visible("[data-testid=vendor-explanation]")
        self.assertIn("Purpose", explained.text)
        self.shot("vendor-preview")

    def test_04b_version_diff(self):
        vendor = env("DPA_VALID_VENDOR")
        with open(env("DPA_VALID"), encoding="utf-8") as handle:
            first = handle.read()
        root = ET.fromstring(first.encode("utf-8"))
        version = int(root.get("version"))
        second = first.replace(f'version="{version}"', f'version="{version + 1}"', 1).replace(
            '<retention days="30"/>', '<retention days="14"/>', 1
        )
        self.assertNotEqual(first, second)
        self.sign_in("TOKEN_PROCUREMENT_1")
        self.go("#/register")
        area = self.visible("#dpa-xml")
        self.driver.execute_script("arguments[0].value = arguments[1]", area, second)
        self.css("#register-submit").click()
        self.visible("[data-testid=register-ok]")
        self.go("#/vendors/" + urllib.parse.quote(vendor, safe=""))
        digests = [c.text for c in self.all("table[data-testid=versions-table] code.digest")]
        self.assertEqual(len(digests), 2)
        self.assertTrue(all(d.startswith("sha256:") for d in digests), digests)
        form = self.visible("[data-testid=diff-form]")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        diff = self.visible("[data-testid=version-diff]")
        self.assertIn('- ', diff.text)
        self.assertIn('+   <retention days="14"/>', diff.text)
        self.shot("vendor-diff")

    def test_05_vendor_name_is_text(self):
        vendor, name = vendor_of(env("DPA_XSS"))
        self.assertEqual(name, "<img src=x onerror=alert(1)>")
        self.sign_in("TOKEN_PROCUREMENT_1")
        self.upload(env("DPA_XSS"))
        if self.all("[data-testid=register-ok]"):
            self.assertEqual(self.css("[data-testid=register-ok] [data-testid=vendor-name]").text, name)
        self.assert_no_alert()
        self.go("#/vendors/" + urllib.parse.quote(vendor, safe=""))
        shown = self.visible("[data-testid=vendor-explanation] [data-testid=vendor-name]")
        self.assertEqual(shown.text, name)
        self.assert_no_alert()
        self.assertEqual(self.all('img[src="x"]'), [])
        self.assertEqual(self.all("#view img"), [])
        self.assertIn(name, self.css("#view").text)
        self.shot("vendor-xss-name")

    def test_06_subject_disclosures(self):
        subject = env("SUBJECT_WITH_SHARES")
        self.sign_in("TOKEN_AUDITOR")
        self.go(fragment_for_subject(subject))
        self.assertEqual(self.visible("[data-testid=subject-id]").text, subject)
        self.visible("table[data-testid=disclosures-table]")
        vendors = [a.text for a in self.all("table[data-testid=disclosures-table] a[data-vendor]")]
        self.assertTrue(vendors and all(vendors), "the disclosures name a vendor")
        self.shot("subject-auditor")

    def test_07_shares_filter_and_entry(self):
        subject = env("SUBJECT_WITH_SHARES")
        self.sign_in("TOKEN_AUDITOR")
        self.go("#/shares?subject=" + urllib.parse.quote(subject, safe="") + "&decision=shared")
        self.visible("table[data-testid=shares-table]")
        self.assertEqual(self.css("[data-testid=shares-filters] input[name=subject]").get_attribute("value"), subject)
        self.assertEqual(Select(self.css("[data-testid=shares-filters] select[name=decision]")).first_selected_option.get_attribute("value"), "shared")
        rows = self.all("table[data-testid=shares-table] tr.entry-row")
        self.assertTrue(rows)
        rows[0].find_element(By.CSS_SELECTOR, "[data-testid=open-entry]").click()
        detail = self.visible("[data-testid=entry-detail]")
        self.assertTrue(detail.find_elements(By.CSS_SELECTOR, "table[data-testid=entry-fields] tbody tr"))
        self.shot("shares")

    def test_08_incident_impact(self):
        subject = env("SUBJECT_WITH_SHARES")
        self.sign_in("TOKEN_AUDITOR")
        self.go(fragment_for_subject(subject))
        vendor = self.visible("table[data-testid=disclosures-table] a[data-vendor]").text
        self.go("#/incidents?vendor=" + urllib.parse.quote(vendor, safe=""))
        shares = self.visible("[data-testid=impact-shares]")
        self.assertGreater(int(shares.text), 0)
        self.assertGreater(int(self.css("[data-testid=impact-subjects]").text), 0)
        self.shot("incidents")

    def test_09_log_verified(self):
        self.sign_in("TOKEN_AUDITOR")
        self.go("#/log")
        verified = self.visible("#log-verified")
        self.assertIn("verified", verified.text)
        self.assertEqual(verified.get_attribute("data-ok"), "true")
        self.assertGreater(int(self.visible("#tree-size").text), 0)
        self.visible("table[data-testid=checkpoints-table]")
        self.shot("log")

    def test_10_overview_charts(self):
        self.sign_in("TOKEN_AUDITOR")
        self.go("#/")
        self.visible("svg[data-testid=chart-shared]")
        self.assertTrue(self.all("svg[data-testid=chart-shared] rect.bar"), "the shares of the harness are charted")
        self.shot("overview")

    def test_11_consent_files_erasure(self):
        subject = env("SUBJECT_WITH_SHARES")
        self.sign_in("TOKEN_CONSENT")
        self.go(fragment_for_subject(subject))
        form = self.visible("[data-testid=request-form]")
        Select(form.find_element(By.NAME, "type")).select_by_value("erasure")
        form.find_element(By.NAME, "reference").send_keys("DSR-console-1")
        form.find_element(By.NAME, "confirmErasure").click()
        self.css("#file-request").click()
        self.visible("[data-testid=request-filed]")
        rows = self.table_rows("request-recipients")
        self.assertTrue(rows, "the request lists its recipients")
        self.assertTrue(any(r.find_elements(By.CSS_SELECTOR, "a") for r in rows))
        self.shot("subject-erasure")
        request_id = self.css("[data-testid=filed-requests] article[data-testid=request]").get_attribute("data-request-id")
        self.go("#/requests?type=erasure")
        card = self.visible(f'article[data-request-id="{request_id}"]')
        self.assertEqual(Select(self.css("[data-testid=requests-filters] select[name=type]")).first_selected_option.get_attribute("value"), "erasure")
        form = card.find_element(By.CSS_SELECTOR, "form.inline-form")
        vendor = form.get_attribute("data-vendor")
        form.find_element(By.NAME, "note").send_keys("vendor confirmed the erasure")
        form.find_element(By.CSS_SELECTOR, "[data-testid=confirm-recipient]").click()
        self.wait().until(lambda d: any(
            "confirmed" in row.text and vendor in row.text
            for row in d.find_elements(By.CSS_SELECTOR, f'article[data-request-id="{request_id}"] tbody tr')
        ))
        self.assertFalse(card.find_elements(By.CSS_SELECTOR, ".problem"))
        self.shot("requests")

    def test_12_narrow_window(self):
        self.sign_in("TOKEN_AUDITOR")
        try:
            self.driver.set_window_size(400, 800)
            for fragment, name in (("#/vendors", "vendors-narrow"), ("#/log", "log-narrow")):
                self.go(fragment)
                overflow = self.driver.execute_script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                self.assertLessEqual(overflow, 2, f"{fragment} scrolls sideways at 400 px")
                self.shot(name)
        finally:
            self.driver.set_window_size(1280, 800)

    def test_13_sign_out_clears_the_token(self):
        self.sign_in("TOKEN_AUDITOR")
        self.assertGreater(self.driver.execute_script("return sessionStorage.length"), 0)
        self.assertEqual(self.driver.execute_script("return document.cookie"), "")
        self.css("#sign-out").click()
        self.visible("#token")
        self.assertEqual(self.driver.execute_script("return sessionStorage.length"), 0)
        self.assertFalse(self.css("#nav").is_displayed())
        self.assertEqual(self.css("#view").text.strip(), "")
        self.driver.refresh()
        self.visible("#token")
        self.assertEqual(self.driver.execute_script("return document.body.dataset.role === undefined"), True)
        self.shot("signed-out")


def main():
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(ConsoleTest)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    # Subtests report under their test: count each test method once.
    failed = {getattr(test, "test_case", test).id() for test, _ in result.failures + result.errors}
    skipped = len(result.skipped)
    passed = max(0, result.testsRun - len(failed) - skipped)
    print(f"{passed} passed, {len(failed)} failed" + (f", {skipped} skipped" if skipped else ""))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
