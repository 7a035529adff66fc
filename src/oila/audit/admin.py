# The audit log is read through the data protection officer's views, not the Django admin.
