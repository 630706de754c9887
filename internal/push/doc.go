// Package push delivers Web Push notifications (RFC 8030) to the browsers a
// resident opted in from, with VAPID (RFC 8292) identifying the platform to
// the push services and the payload encrypted for the browser (RFC 8291,
// aes128gcm). It implements messages.Pusher.
//
// The VAPID key pair is derived from the platform's key-encryption key, so
// every node signs with the same key and nothing more is stored. Browsers
// bind a subscription to the public key they were given: changing the
// key-encryption key invalidates every subscription, and residents must opt
// in again (docs/decisions/0017-web-push.md).
//
// The package holds no HTTP handlers: the web layer reads the browser's
// PushSubscription JSON and calls Sender.Subscribe and Sender.Unsubscribe.
package push
