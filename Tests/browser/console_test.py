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
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
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

# Keyboard test (test_14): page-side bookkeeping of what Tab reached, in window.__tabbed (a Set, in order).
DESCRIBE_JS = r"""
window.__describe = (el) => {
  const text = (el.textContent || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '')
    + (el.getAttribute('href') ? `[href=${el.getAttribute('href')}]` : '') + (el.name ? `[name=${el.name}]` : '') + (text ? ` "${text}"` : '');
};
"""
TAB_START_JS = DESCRIBE_JS + "window.__tabbed = new Set(); window.__tabOrder = [];"
# After each Tab press: the focused element, whether the cycle closed, and its focus style.
TAB_STEP_JS = r"""
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return {none: true};
const first = window.__tabOrder[0];
const repeat = window.__tabbed.has(el);
if (!repeat) { window.__tabbed.add(el); window.__tabOrder.push(el); }
const style = getComputedStyle(el);
const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
const shadow = style.boxShadow && style.boxShadow !== 'none';
return {
  none: false, repeat, cycled: repeat && el === first, what: window.__describe(el),
  inScope: Boolean(el.closest('nav, #view')) || el.id === 'sign-out',
  indicator: Boolean(outline || shadow),
  style: `outline ${style.outlineStyle} ${style.outlineWidth}, box-shadow ${style.boxShadow}`,
};
"""
# The controls a keyboard user must be able to reach (nav, #view and the header's sign-out), and any
# element anywhere with a positive tabindex. On an element that is not a control, tabindex="-1" marks a
# programmatic focus target (the heading focused after navigation, #view): not a Tab stop by design. A
# control with tabindex="-1" is still expected (and so reported).
TAB_EXPECTED_JS = r"""
const controls = 'a[href], button, input, select, textarea, summary';
const selector = controls + ', [tabindex]';
const candidates = new Set();
for (const root of document.querySelectorAll('nav, #view')) for (const el of root.querySelectorAll(selector)) candidates.add(el);
const signOut = document.getElementById('sign-out');
if (signOut) candidates.add(signOut);
const visible = (el) => el.checkVisibility({visibilityProperty: true, opacityProperty: false})
  && [...el.getClientRects()].some((r) => r.width > 0 && r.height > 0);
const missing = [];
let expected = 0;
for (const el of candidates) {
  if (!visible(el) || el.matches(':disabled') || el.closest('[inert]')) continue;
  if (el.matches('input[type=hidden]')) continue;
  if (el.tabIndex < 0 && !el.matches(controls)) continue;
  expected += 1;
  if (!window.__tabbed.has(el)) missing.push(window.__describe(el));
}
const positive = [...document.querySelectorAll('[tabindex]')].filter((el) => parseInt(el.getAttribute('tabindex'), 10) > 0).map(window.__describe);
return {expected, missing, positive};
"""

# Contrast test (test_15): WCAG 2.x contrast of every visible piece of text against its effective
# background. Returns {checked, failures: [...]}.
CONTRAST_JS = r"""
const parse = (value) => {
  const m = /^rgba?\(([^)]*)\)$/.exec(String(value).trim());
  if (!m) return null;
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map((x) => (x.endsWith('%') ? parseFloat(x) / 100 : parseFloat(x)));
  return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
};
const over = (top, below) => ({  // `top` (any alpha) composited onto an opaque `below`
  r: top.r * top.a + below.r * (1 - top.a), g: top.g * top.a + below.g * (1 - top.a),
  b: top.b * top.a + below.b * (1 - top.a), a: 1,
});
const luminance = (c) => {
  const channel = (v) => { const s = v / 255; return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4); };
  return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
};
const ratio = (a, b) => { const x = luminance(a), y = luminance(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
const hex = (c) => '#' + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
const WHITE = {r: 255, g: 255, b: 255, a: 1};
const bodyBackground = parse(getComputedStyle(document.body).backgroundColor);
const page = bodyBackground && bodyBackground.a > 0 ? over(bodyBackground, WHITE) : WHITE;
/** The opaque colour behind `el`: the ancestors' background colours, composited from the first opaque one. */
function background(el) {
  const layers = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
  }
  let base = layers.length && layers[layers.length - 1].a >= 1 ? layers.pop() : page;
  while (layers.length) base = over(layers.pop(), base);
  return base;
}
function opacity(el) {
  let product = 1;
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) product *= parseFloat(getComputedStyle(node).opacity);
  return product;
}
const visible = (el) => el.checkVisibility({visibilityProperty: true, opacityProperty: true, contentVisibilityAuto: true})
  && [...el.getClientRects()].some((r) => r.width > 0 && r.height > 0);
const failures = [];
let checked = 0;
for (const el of document.body.querySelectorAll('*')) {
  const inSvg = el instanceof SVGElement;
  if (inSvg && !(el.tagName === 'text' || el.tagName === 'tspan')) continue;  // chart bars, titles: not text
  if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION', 'DATALIST'].includes(el.tagName)) continue;
  const text = [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
  if (!text || !visible(el)) continue;
  // WCAG 1.4.3 exempts the text of inactive (disabled) controls.
  if (el.closest(':disabled')) continue;
  const style = getComputedStyle(el);
  const raw = parse(inSvg ? style.fill : style.color);
  const bg = background(el);
  const weight = parseInt(style.fontWeight, 10) || 400;
  const scale = inSvg && el.getScreenCTM ? Math.abs(el.getScreenCTM().a) : 1;
  const size = parseFloat(style.fontSize) * scale;
  const large = size >= 24 || (size >= 18.66 && weight >= 700);
  const needed = large ? 3 : 4.5;
  const cls = typeof el.className === 'string' ? el.className : (el.className && el.className.baseVal) || '';
  const what = {tag: el.tagName.toLowerCase(), cls, text: text.replace(/\s+/g, ' ').slice(0, 40)};
  if (!raw) {
    failures.push(Object.assign(what, {fg: String(inSvg ? style.fill : style.color), bg: hex(bg), ratio: 0, needed}));
    continue;
  }
  const fg = over(Object.assign({}, raw, {a: raw.a * opacity(el)}), bg);
  const r = ratio(fg, bg);
  checked += 1;
  if (r + 1e-9 < needed) failures.push(Object.assign(what, {fg: hex(fg), bg: hex(bg), ratio: Math.round(r * 100) / 100, needed, size: Math.round(size * 10) / 10}));
}
return {checked, failures};
"""


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

    def press(self, *keys):
        """Keys sent to whatever has focus, as a keyboard user types them (no element targeted, no click)."""
        ActionChains(self.driver).send_keys(*keys).perform()

    def focused(self):
        return self.driver.execute_script(DESCRIBE_JS + "return window.__describe(document.activeElement)")

    def tab_to(self, condition, presses=80):
        """Presses Tab until `condition` (JavaScript about `el`, the focused element) holds; fails after `presses`."""
        path = []
        for _ in range(presses):
            self.press(Keys.TAB)
            if self.driver.execute_script("const el = document.activeElement; return Boolean(" + condition + ")"):
                return
            path.append(self.focused())
        self.fail(f"Tab never reached {condition} in {presses} presses; focus went {path[:20]}\u2026")

    def tab_through(self, label, presses=300):
        """Tabs until focus comes back to the first element it reached (or `presses`); checks every control of
        nav, #view and the header was reached, with a visible focus indicator, and that no tabindex is positive."""
        self.driver.execute_script(TAB_START_JS)
        unmarked = []
        cycled = False
        reached = 0
        for _ in range(presses):
            self.press(Keys.TAB)
            step = self.driver.execute_script(TAB_STEP_JS)
            if step["none"]:
                continue
            if step["cycled"]:
                cycled = True
                break
            if not step["repeat"]:
                reached += 1
                if not step["indicator"]:
                    unmarked.append(f"{step['what']} ({step['style']})")
        result = self.driver.execute_script(TAB_EXPECTED_JS)
        self.assertGreater(result["expected"], 0, f"{label}: no controls found")
        problems = []
        if result["missing"]:
            problems.append(f"Tab ({reached} stops, cycled: {cycled}) never reached: {result['missing']}")
        if result["positive"]:
            problems.append(f"positive tabindex (breaks the reading order): {result['positive']}")
        if unmarked:
            problems.append(f"focused without a visible focus indicator: {unmarked}")
        if problems:
            self.fail(f"{label}: " + "\n".join(problems))
        return {"reached": reached, "expected": result["expected"], "cycled": cycled}

    def shared_vendor(self):
        """A vendor that received shares (from the share log: test_11's erasure unlinks the subject's disclosures)."""
        self.go("#/shares?decision=shared")
        return self.visible("table[data-testid=shares-table] tr.entry-row a[href^='#/vendors/']").text

    def view_ready(self):
        """After navigation: the new view rendered and its heading took focus (route() does that last)."""
        self.wait().until(lambda d: d.execute_script("return document.activeElement.matches('#view h1')"))
        self.settled()

    def contrast_failures(self, label):
        result = self.driver.execute_script(CONTRAST_JS)
        self.assertGreater(result["checked"], 0, f"{label}: no text found to check")
        return [
            f"{label}: <{f['tag']} class={f['cls']!r}> {f['text']!r}: {f['fg']} on {f['bg']} = {f['ratio']}:1"
            f" (needs {f['needed']}:1{', ' + str(f['size']) + ' px' if 'size' in f else ''})"
            for f in result["failures"]
        ]

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

    def test_14_keyboard_reaches_every_control(self):
        token = env("TOKEN_AUDITOR")
        subject = env("SUBJECT_WITH_SHARES")
        self.driver.get(self.url)
        self.driver.execute_script("sessionStorage.clear()")
        self.driver.refresh()
        self.wait().until(lambda d: d.execute_script("return document.body.dataset.state === 'signed-out'"))
        self.assertTrue(self.driver.execute_script("return document.activeElement === document.body"),
                        "the signed-out page starts with nothing focused")
        self.tab_to("el.id === 'token'", presses=10)
        self.press(token, Keys.ENTER)
        self.wait().until(
            lambda d: d.execute_script("return document.body.dataset.role !== undefined")
            or d.find_elements(By.CSS_SELECTOR, "#signin-status .problem")
        )
        self.assertFalse(self.all("#signin-status .problem"), "signing in with the keyboard failed")
        self.assertEqual(self.driver.execute_script("return document.body.dataset.role"), "auditor")
        self.assertNotIn(token, self.driver.current_url, "the token must never be in the URL")
        self.view_ready()

        # The skip link moves focus to the content and keeps the view (the fragment is the router's).
        self.tab_to("el.id === 'skip-link'")
        self.assertTrue(self.css("#skip-link").is_displayed(), "the skip link shows when focused")
        self.press(Keys.ENTER)
        self.assertEqual(self.driver.execute_script("return location.hash"), "", "the skip link must not navigate")
        self.assertTrue(self.driver.execute_script("return document.getElementById('view').contains(document.activeElement)"),
                        f"the skip link moved focus to {self.focused()}, not into the content")
        self.assertEqual(self.css("#view h1").text, "Overview")
        self.press(Keys.TAB)
        self.assertTrue(self.driver.execute_script("return document.getElementById('view').contains(document.activeElement)"),
                        f"Tab after the skip link went to {self.focused()}, not into the content")

        vendor = self.shared_vendor()
        views = ["#/", "#/vendors", "#/vendors/" + urllib.parse.quote(vendor, safe=""), "#/shares",
                 fragment_for_subject(subject), "#/requests", "#/incidents?vendor=" + urllib.parse.quote(vendor, safe=""), "#/log"]
        for fragment in views:
            with self.subTest(view=fragment):
                self.go(fragment)
                self.view_ready()
                self.tab_through(fragment)

        # A sortable column header toggles its sort with Enter, and focus stays on it.
        self.go("#/vendors")
        self.view_ready()
        self.tab_to("el.matches('table[data-testid=vendors-table] th button.sort')")
        key, before = self.driver.execute_script(
            "const el = document.activeElement; return [el.dataset.sortKey, el.closest('th').getAttribute('aria-sort')]")
        for _ in range(2):
            self.press(Keys.ENTER)
            self.wait().until(lambda d: d.execute_script(
                "const el = document.activeElement;"
                "return el.matches('button.sort') && el.closest('th').getAttribute('aria-sort') !== arguments[0]", before))
            after = self.driver.execute_script(
                "const el = document.activeElement; return [el.dataset.sortKey, el.closest('th').getAttribute('aria-sort')]")
            self.assertEqual(after[0], key, "focus stays on the header that was sorted")
            self.assertIn(after[1], ("ascending", "descending"))
            self.assertEqual(self.driver.execute_script("return document.activeElement.matches(':focus-visible')"), True)
            before = after[1]
        self.shot("keyboard-sort")

    def test_15_text_contrast_meets_wcag_aa(self):
        subject = env("SUBJECT_WITH_SHARES")
        failures = []
        self.driver.get(self.url)
        self.driver.execute_script("sessionStorage.clear()")
        self.driver.refresh()
        self.visible("#token")
        failures += self.contrast_failures("signed out")
        self.css("#token").send_keys("not-a-token")
        self.css("#sign-in").click()
        self.visible("#signin-status .problem")
        failures += self.contrast_failures("signed out, token refused")

        self.sign_in("TOKEN_ADMIN")
        vendor = self.shared_vendor()
        quoted = urllib.parse.quote(vendor, safe="")
        views = [
            ("#/", "overview"), ("#/vendors", "vendors"), ("#/vendors/" + quoted, "vendor"), ("#/register", "register"),
            ("#/shares", "shares"), ("#/subjects/", "subjects"), (fragment_for_subject(subject), "subject"),
            ("#/requests", "requests"), ("#/incidents", "incidents"), ("#/incidents?vendor=" + quoted, "incident impact"),
            ("#/log", "log"),
        ]
        for fragment, label in views:
            self.go(fragment)
            self.view_ready()
            # What opens on demand is text too: every <details>, a share entry, a preview.
            self.driver.execute_script("document.querySelectorAll('#view details').forEach((d) => { d.open = true; })")
            if label == "shares":
                self.visible("[data-testid=open-entry]").click()
                self.visible("[data-testid=entry-detail]")
                self.driver.execute_script("document.querySelectorAll('#view details').forEach((d) => { d.open = true; })")
            if label == "vendor" and self.all("#preview-submit"):
                self.css("#preview-submit").click()
                self.visible("[data-testid=preview-result]")
            failures += self.contrast_failures(label)
        self.upload(env("DPA_BAD"))
        self.visible("[data-testid=register-result] .problem")
        failures += self.contrast_failures("register, errors")
        self.css("#sign-out").click()
        self.visible("#signin-status .notice")
        failures += self.contrast_failures("signed out, notice")
        if failures:
            self.fail(f"{len(failures)} text elements below WCAG 2.x AA contrast:\n" + "\n".join(failures))


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
