// Package demo loads demonstration data for `serve --demo`: records that make
// every page show something worth seeing. Later services add demo accounts
// here. Loading twice adds nothing the second time.
package demo

import (
	"context"
	"fmt"

	"github.com/oneaccount/oneaccount/internal/directory"
	"github.com/oneaccount/oneaccount/internal/lang"
)

// ClosureReason marks the demo closure, so a second load finds it.
var ClosureReason = lang.Text{
	ZhHant: "員工培訓（示範）",
	Pt:     "Formação do pessoal (demonstração)",
	En:     "Staff training (demonstration)",
}

// Load adds the demo records: a morning closure of the DSI headquarters on
// the fifth working day from today.
func Load(ctx context.Context, dir *directory.Directory) error {
	today := directory.DateOf(dir.Now())
	cal, err := dir.Calendar(ctx, "", today, today.AddDays(30))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	day := cal.AddWorkingDays(today, 5)
	loc := dir.Location()
	c := directory.Closure{Branch: "DSI-HQ", Starts: directory.ClockTime(9*60).On(day, loc),
		Ends: directory.ClockTime(13*60).On(day, loc), Reason: ClosureReason}
	existing, err := dir.Store().Closures(ctx, c.Branch, today.In(loc), today.AddDays(60).In(loc))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, e := range existing {
		if e.Reason == ClosureReason {
			return nil
		}
	}
	if _, err := dir.Store().AddClosure(ctx, c); err != nil {
		return fmt.Errorf("demo closure: %w", err)
	}
	return nil
}
