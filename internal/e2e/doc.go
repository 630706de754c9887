// Package e2e holds the end-to-end browser tests of OneAccount. They build
// the whole platform through package app on a fresh SQLite database, serve
// it with httptest, and drive a headless Chromium through the DevTools
// protocol (chromedp) to check what a visitor actually gets: accessibility
// (axe-core, WCAG 2.2 AA) in every language, the search form, and the weight
// of the CSS and JavaScript the home page downloads.
//
// The tests need a Chromium or Chrome binary: ONEACCOUNT_CHROMIUM names one,
// otherwise /usr/bin/chromium, chromium, chromium-browser or google-chrome
// is looked up in PATH. Without a browser the tests are skipped, except when
// CI=true, where a missing browser fails them. Set ONEACCOUNT_SCREENSHOTS to
// a directory to also save a screenshot of the home page and of a branch page
// in each language.
package e2e
