package app

import (
	"fmt"

	"github.com/oneaccount/oneaccount/internal/notify"
	"github.com/oneaccount/oneaccount/internal/notify/sms"
)

// smsChannel returns the SMS provider channel when --sms-url is set.
func (a *App) smsChannel() (notify.Channel, error) {
	if a.cfg.SMSURL == nil {
		return nil, nil
	}
	ch, err := sms.New(sms.Config{URL: a.cfg.SMSURL.String(), Token: a.cfg.SMSToken, Sender: "OneAccount"}, nil)
	if err != nil {
		return nil, fmt.Errorf("--sms-url: %w", err)
	}
	return ch, nil
}
