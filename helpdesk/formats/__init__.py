"""Date formats of the helpdesk's languages (FORMAT_MODULE_PATH): what these files leave out,
Django's own locale formats give."""
