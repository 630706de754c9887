package app

import "github.com/oneaccount/oneaccount/internal/notify"

// smsChannel returns the SMS provider channel when --sms-url is set.
func (a *App) smsChannel() (notify.Channel, error) { return nil, nil }
