"""Help centre: plain-language questions and answers, and messages to a human advisor."""
