package storetest

import "testing"

func testAudit(t *testing.T, open Opener) {}
