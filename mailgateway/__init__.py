"""Incoming email: service mailboxes read over IMAP, replies matched to their ticket, new tickets
filed by email, loop and abuse protection."""
