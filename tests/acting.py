"""What the tests of acting for someone share."""

# Every page of the citizen's menu, and the permission a proxy needs for it (None: any proxy).
MENU = [
    ("coffre:proxy_record", None),  # « record »: what they may do for the person
    ("records:timeline", "read"),
    ("records:entry_index", "manage"),
    ("records:import", "manage"),
    ("records:export", "manage"),
    ("records:documents", "read"),
    ("coffre:sharing", "manage"),
    ("coffre:history", "manage"),
    ("reminders:index", "read"),
    ("reminders:agenda", "read"),
    ("care:appointments", "appointments"),
    ("care:conversations", "messages"),
    ("records:card", "read"),
    ("coffre:emergency_settings", "manage"),
]
