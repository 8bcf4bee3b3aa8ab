"""The patients' side: their own sessions, e-consent, pain diary and a printable handout."""
