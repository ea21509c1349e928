"""thidua: scoring, ranking and award shortlists for Vietnam's emulation movement."""

__version__ = "0.1.0"
