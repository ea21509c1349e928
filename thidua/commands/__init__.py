"""One module per command; each is three lines of intent: load, call the core, render."""
