package push

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// sendTimeout bounds one notification, connection included.
const sendTimeout = 30 * time.Second

// newClient returns the client notifications go out with. Endpoints come
// from browsers, that is from whoever is signed in, so the client will not
// be a way into the operator's network: it follows no redirects and
// connects only to public unicast addresses, whatever a name resolves to.
// When the environment names an HTTPS proxy, the proxy is the egress
// control and the address check is left to it.
func newClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	probe := &http.Request{URL: &url.URL{Scheme: "https", Host: "push.invalid"}}
	if p, err := t.Proxy(probe); err != nil || p == nil {
		t.Proxy = nil
		d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: publicOnly}
		t.DialContext = d.DialContext
	}
	return &http.Client{Transport: t, Timeout: sendTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// publicOnly is a net.Dialer Control that refuses any address that is not
// public unicast.
func publicOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !public(ip) {
		return fmt.Errorf("push: refusing to connect to %s: not a public address", address)
	}
	return nil
}

// cgnat is the shared address space of RFC 6598, private in practice.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

func public(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !cgnat.Contains(ip)
}
