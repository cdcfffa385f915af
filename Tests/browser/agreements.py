#!/usr/bin/python3
"""Agreements for the console test, with dates relative to today (so they stay in term).

    python3 Tests/browser/agreements.py DIR VENDOR_PORT   # writes DIR/*.xml, prints their paths as JSON

- valid.xml     vendor `consolevalid`, registered and approved through the console by the test
- bad.xml       a schema error (an impossible date) and an unknown element, on known lines
- xss.xml       vendor `xssvendor` named `<img src=x onerror=alert(1)>`
- sharebox.xml  vendor `sharebox` at https://127.0.0.1:VENDOR_PORT (the harness's vendor), with a rights
                endpoint there; imported and approved by the harness, which then makes shares to it
- soonco.xml    vendor `soonco`, whose term ends in 10 days (the overview and vendor list flag it)
"""

import datetime
import json
import os
import re
import sys

TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<agreement xmlns="urn:vendor-gateway:dpa:1" id="{vendor}-dpa" version="1">
  <vendor id="{vendor}" name="{name}" country="DE" contact="privacy@{vendor}.example"/>
  <term effective="{effective}" expires="{expires}"/>
  <vetting assessedOn="{assessed}" riskTier="low"/>
  <processing>
    <purpose ref="analytics" basis="consent">
      <category ref="user.unique_id.pseudonymous"/>
      <category ref="user.behavior.browsing_history"/>
      <category ref="user.contact.email" transform="hash"/>
    </purpose>
    <prohibited ref="user.financial"/>
  </processing>
  <retention days="30"/>
  <transfers><region>EU</region></transfers>
  <subprocessors/>
  <breachNotification hours="24" contact="security@{vendor}.example"/>
  <endpoint baseURL="{base}">
    <allowedService>demo-service</allowedService>
  </endpoint>{rights}
  <dataMap>
    <operation method="POST" path="/track" subject="$.user_id">
      <field path="$.user_id" category="user.unique_id.pseudonymous"/>
      <field path="$.email" category="user.contact.email"/>
      <field path="$.page" category="user.behavior.browsing_history"/>
      <field path="$.card_number" category="user.financial.credit_card"/>
    </operation>
  </dataMap>
</agreement>
"""

RIGHTS = """
  <rights endpoint="{base}/privacy/requests" respondWithinDays="30">
    <request type="erasure"/>
    <request type="rectification"/>
    <request type="restriction"/>
    <request type="objection"/>
  </rights>"""


def agreement(vendor, name, base, expires_in_days=365, rights=False):
    today = datetime.date.today()
    return TEMPLATE.format(
        vendor=vendor,
        name=name,
        base=base,
        effective=(today - datetime.timedelta(days=30)).isoformat(),
        expires=(today + datetime.timedelta(days=expires_in_days)).isoformat(),
        assessed=(today - datetime.timedelta(days=60)).isoformat(),
        rights=RIGHTS.format(base=base) if rights else "",
    )


def write_console_agreements(directory, vendor_port):
    os.makedirs(directory, exist_ok=True)
    bad = agreement("consolebad", "Console Bad Ltd", "https://api.consolebad.example/v1")
    bad = re.sub(r'expires="[0-9-]+"', 'expires="2027-02-30"', bad, count=1)
    bad = bad.replace("  <retention days=\"30\"/>", "  <retention days=\"30\"/>\n  <unexpectedElement/>", 1)
    files = {
        "valid": agreement("consolevalid", "Console Valid Ltd", "https://api.consolevalid.example/v1"),
        "bad": bad,
        # The attribute holds the characters < and >, escaped as XML requires.
        "xss": agreement("xssvendor", "&lt;img src=x onerror=alert(1)&gt;", "https://api.xssvendor.example/v1"),
        "soonco": agreement("soonco", "Soon Expiring Co", "https://api.soonco.example/v1", expires_in_days=10),
    }
    if vendor_port:
        files["sharebox"] = agreement("sharebox", "Sharebox Analytics", f"https://127.0.0.1:{vendor_port}", rights=True)
    paths = {}
    for key, text in files.items():
        path = os.path.join(directory, key + ".xml")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        paths[key] = path
    return paths


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: agreements.py DIR VENDOR_PORT")
    print(json.dumps(write_console_agreements(sys.argv[1], int(sys.argv[2]))))
