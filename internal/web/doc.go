// Package web serves the HTML pages: the service catalogue, a page for each
// entity and branch, the language switch, error pages, and the embedded
// static assets (the compiled design system). Pages are server-rendered with
// html/template and work without JavaScript; every string comes from the
// zh-Hant, pt and en catalogues in locales/.
package web
