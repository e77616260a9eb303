"""Alerts to responders: events, notifiers (Telegram, e-mail, webhook), a throttling dispatcher."""
