"""Telling people: the outbox written in the transaction and its delivery through the SMS port."""
