"""Emergency chat: red-flag triage first, then a live chat with an on-call practitioner."""
