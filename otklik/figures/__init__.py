"""Figures read from the store for the desk's overview and the reports (the same indexed
ranges for both), and the names of accounts and places."""
