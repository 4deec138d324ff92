"""Follow-up between meetings: reminders planned into a table, sent by one paced sender."""
