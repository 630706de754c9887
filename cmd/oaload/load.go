package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// outcome is one sign-in attempt.
type outcome struct {
	status     int // 0 for a transport error
	retryAfter bool
	session    bool
	timeout    bool
	latency    time.Duration
	at         time.Duration // when the answer came, since the run started
}

// result is a whole run.
type result struct {
	outcomes  []outcome
	started   time.Time
	sending   time.Duration // until the last sign-in was started
	elapsed   time.Duration // until the last answer
	errSample string
}

// load signs in from o.concurrency workers until o.duration has passed or
// o.requests were started, then waits for the answers still in flight.
func load(ctx context.Context, o options, base *url.URL, progress io.Writer) (*result, error) {
	loginURL := *base
	loginURL.Path = "/login" // JoinPath on an empty path would give "login", which cookie paths never match
	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         loopbackDialer(),
		MaxIdleConns:        o.concurrency,
		MaxIdleConnsPerHost: o.concurrency,
		IdleConnTimeout:     90 * time.Second,
	}
	defer transport.CloseIdleConnections()
	sendCtx, stopSending := context.WithTimeout(ctx, o.duration)
	defer stopSending()

	var (
		started  atomic.Int64
		answered atomic.Int64
		mu       sync.Mutex
		res      = &result{started: time.Now()}
		wg       sync.WaitGroup
		lastSend atomic.Int64
	)
	if o.progress > 0 {
		done := make(chan struct{})
		defer close(done)
		go func() {
			t := time.NewTicker(o.progress)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					n, a := started.Load(), answered.Load()
					fmt.Fprintf(progress, "oaload: %5.0fs  started %d  answered %d  in flight %d\n",
						time.Since(res.started).Seconds(), n, a, n-a)
				}
			}
		}()
	}
	for range o.concurrency {
		wg.Go(func() {
			var mine []outcome
			defer func() {
				mu.Lock()
				res.outcomes = append(res.outcomes, mine...)
				mu.Unlock()
			}()
			for sendCtx.Err() == nil {
				n := started.Add(1)
				if o.requests > 0 && n > int64(o.requests) {
					started.Add(-1)
					return
				}
				for t := int64(time.Since(res.started)); ; {
					if last := lastSend.Load(); t <= last || lastSend.CompareAndSwap(last, t) {
						break
					}
				}
				out, err := signIn(ctx, transport, &loginURL, username(o.prefix, int((n-1)%int64(o.users))), o.password, o.timeout)
				answered.Add(1)
				out.at = time.Since(res.started)
				mine = append(mine, out)
				if err != nil {
					mu.Lock()
					if res.errSample == "" {
						res.errSample = err.Error()
					}
					mu.Unlock()
				}
				if ctx.Err() != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	res.sending = time.Duration(lastSend.Load())
	res.elapsed = time.Since(res.started)
	if len(res.outcomes) == 0 && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return res, nil
}

// signIn posts the login form as a fresh browser (its own cookie jar, no
// redirects followed) and records the answer.
func signIn(ctx context.Context, t http.RoundTripper, loginURL *url.URL, user, pw string, timeout time.Duration) (outcome, error) {
	jar, _ := cookiejar.New(nil) // never fails without options
	c := &http.Client{Transport: t, Jar: jar, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"username": {user}, "password": {pw}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, loginURL.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return outcome{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "oaload/1")
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		var ne interface{ Timeout() bool }
		return outcome{latency: time.Since(start), timeout: errors.As(err, &ne) && ne.Timeout()}, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	out := outcome{status: resp.StatusCode, latency: time.Since(start), retryAfter: resp.Header.Get("Retry-After") != ""}
	for _, ck := range jar.Cookies(loginURL) {
		if (ck.Name == "session" || ck.Name == "__Host-session") && ck.Value != "" {
			out.session = true
		}
	}
	return out, nil
}

// counts tallies the outcomes.
type counts struct {
	byStatus                    map[int]int
	session, retry429, retry503 int
	errors, timeouts            int
}

func (r *result) counts() counts {
	c := counts{byStatus: map[int]int{}}
	for _, o := range r.outcomes {
		if o.status == 0 {
			c.errors++
			if o.timeout {
				c.timeouts++
			}
			continue
		}
		c.byStatus[o.status]++
		switch {
		case o.status == http.StatusSeeOther && o.session:
			c.session++
		case o.status == http.StatusTooManyRequests && o.retryAfter:
			c.retry429++
		case o.status == http.StatusServiceUnavailable && o.retryAfter:
			c.retry503++
		}
	}
	return c
}

// unexpected counts transport errors and answers other than 303 with a
// session, 429 and 503.
func (r *result) unexpected() int {
	c := r.counts()
	return c.errors + (len(r.outcomes) - c.errors - c.session - c.byStatus[429] - c.byStatus[503])
}

// percentile returns the p-th percentile (nearest rank) of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/float64(time.Millisecond)) }

// print writes the summary; every line is "key: values" for scripts.
func (r *result) print(w io.Writer, o options, base *url.URL) {
	c := r.counts()
	var all, ok []time.Duration
	for _, x := range r.outcomes {
		if x.status == 0 {
			continue
		}
		all = append(all, x.latency)
		if x.status == http.StatusSeeOther && x.session {
			ok = append(ok, x.latency)
		}
	}
	slices.Sort(all)
	slices.Sort(ok)
	fmt.Fprintf(w, "target: POST %s/login  users %d  concurrency %d  duration %s  requests-cap %d\n",
		base, o.users, o.concurrency, o.duration, o.requests)
	fmt.Fprintf(w, "elapsed: %.1f s (last sign-in started at %.1f s)\n", r.elapsed.Seconds(), r.sending.Seconds())
	fmt.Fprintf(w, "requests: %d answered %d transport-errors %d (timeouts %d)\n",
		len(r.outcomes), len(r.outcomes)-c.errors, c.errors, c.timeouts)
	fmt.Fprintf(w, "status-303: %d (with session cookie %d)\n", c.byStatus[303], c.session)
	fmt.Fprintf(w, "status-429: %d (with Retry-After %d)\n", c.byStatus[429], c.retry429)
	fmt.Fprintf(w, "status-503: %d (with Retry-After %d)\n", c.byStatus[503], c.retry503)
	var other []string
	codes := make([]int, 0, len(c.byStatus))
	for code := range c.byStatus {
		codes = append(codes, code)
	}
	sort.Ints(codes)
	for _, code := range codes {
		if code != 303 && code != 429 && code != 503 {
			other = append(other, fmt.Sprintf("%d×%d", code, c.byStatus[code]))
		}
	}
	fmt.Fprintf(w, "status-other: %d %s\n", len(r.outcomes)-c.errors-c.byStatus[303]-c.byStatus[429]-c.byStatus[503],
		strings.Join(other, " "))
	if r.errSample != "" {
		fmt.Fprintf(w, "first-error: %s\n", r.errSample)
	}
	inWindow := 0
	for _, x := range r.outcomes {
		if x.status == http.StatusSeeOther && x.session && x.at <= r.sending {
			inWindow++
		}
	}
	fmt.Fprintf(w, "signins-per-s: %.1f overall, %.1f while starting sign-ins (%d in the first %.1f s)\n",
		float64(c.session)/r.elapsed.Seconds(), float64(inWindow)/max(r.sending, time.Millisecond).Seconds(), inWindow, r.sending.Seconds())
	fmt.Fprintf(w, "latency-ms-all: p50 %s p95 %s p99 %s max %s\n",
		ms(percentile(all, 50)), ms(percentile(all, 95)), ms(percentile(all, 99)), ms(percentile(all, 100)))
	fmt.Fprintf(w, "latency-ms-303: p50 %s p95 %s p99 %s max %s\n",
		ms(percentile(ok, 50)), ms(percentile(ok, 95)), ms(percentile(ok, 99)), ms(percentile(ok, 100)))
}
