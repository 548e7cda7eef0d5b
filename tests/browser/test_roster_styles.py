"""The roster page loads app.css only (pages.css holds the other pages' rules, for a smaller
first visit on a phone). Every element a roster shows must look the same with pages.css added:
a rule the roster needs that sits in pages.css, or a pages.css rule that would change the
roster, shows up here as a computed style that differs."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_facilitator_roster import _open_todays_choir, _signed_in

pytestmark = pytest.mark.browser

# Every element's computed style (all properties), and the ::after of the names (the pending
# hourglass), keyed by the element's place in the document.
COMPUTED = """() => {
  const out = {};
  document.querySelectorAll('body *').forEach((el, i) => {
    const key = i + ' ' + el.tagName + '#' + el.id;
    for (const pseudo of [null, '::after']) {
      const style = getComputedStyle(el, pseudo);
      const values = [];
      for (let j = 0; j < style.length; j++) {
        values.push(style[j] + ':' + style.getPropertyValue(style[j]));
      }
      out[key + (pseudo || '')] = values.join(';');
    }
  });
  return out;
}"""

SHEETS = (
    "() => [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.getAttribute('href'))"
)

# Both snapshots in one evaluation, so nothing else (the status refresh) runs between them
# but the stylesheet's load.
BEFORE_AND_AFTER = (
    "async () => { const computed = "
    + COMPUTED
    + """;
  const before = computed();
  await new Promise((resolve, reject) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet'; link.href = '/static/css/pages.css';
    link.onload = resolve; link.onerror = reject;
    document.head.appendChild(link);
  });
  return [before, computed()];
}"""
)


@pytest.mark.parametrize("width", [360, 800])
def test_the_roster_looks_the_same_without_pages_css(
    browser: Browser, demo_server: str, width: int
) -> None:
    context, page = _signed_in(browser, demo_server, viewport={"width": width, "height": 900})
    _open_todays_choir(page)
    sheets = page.evaluate(SHEETS)
    assert sheets == ["/static/css/app.css"]
    rows = page.locator("#roster-list > li.roster-item")
    expect(rows.nth(5)).to_be_visible()  # 40 or more: other tests share the demo server
    # The states a roster shows: a pressed mark, a pending row, the queued notice, the status
    # with writes waiting, a disagreement hint, a field error, the update banner, the filter's
    # status line.
    rows.nth(0).get_by_role("button", name="Present", exact=True).click()
    expect(rows.nth(0).get_by_role("button", name="Present", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(rows.nth(0)).not_to_have_class(re.compile("pending"))  # the server's row is back
    page.evaluate(
        """() => {
      const rows = document.querySelectorAll('#roster-list > li.roster-item');
      rows[1].classList.add('pending');
      rows[1].querySelector('button.mark').setAttribute('aria-pressed', 'true');
      rows[2].classList.add('just-added');
      const hint = document.createElement('p'); hint.className = 'hint disagreement';
      hint.textContent = 'Devices disagreed';
      rows[3].querySelector('.roster-row').appendChild(hint);
      const error = document.createElement('p'); error.className = 'field-error';
      error.textContent = 'Not saved'; rows[4].querySelector('.roster-row').appendChild(error);
      document.getElementById('queued-notice').hidden = false;
      document.getElementById('update-banner').hidden = false;
      const status = document.getElementById('sync-status'); status.classList.add('has-pending');
      document.getElementById('roster-filter-status').textContent = '3 of 40 shown';
    }"""
    )
    before, after = page.evaluate(BEFORE_AND_AFTER)
    assert before.keys() == after.keys()
    changed = {}
    for key, value in before.items():
        if value != after[key]:
            was = dict(p.split(":", 1) for p in value.split(";") if p)
            now = dict(p.split(":", 1) for p in after[key].split(";") if p)
            changed[key] = {k: (was.get(k), now.get(k)) for k in now if was.get(k) != now.get(k)}
    assert not changed, json.dumps(changed, indent=1)[:4000]
    context.close()


def test_other_pages_load_both_stylesheets(browser: Browser, demo_server: str) -> None:
    context, page = _signed_in(browser, demo_server)
    sheets = page.evaluate(SHEETS)
    assert sheets == ["/static/css/app.css", "/static/css/pages.css"]
    # a rule from pages.css applies (the session cards on /sessions)
    card = page.locator(".card").first
    expect(card).to_have_css("border-top-style", "solid")
    context.close()
