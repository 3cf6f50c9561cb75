"""Every text a person reads, as Jinja2 templates (rendered in strict mode)."""
