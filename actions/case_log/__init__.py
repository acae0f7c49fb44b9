"""The case log: a pseudonymous, encrypted record of each meldcode conversation (issue 4)."""
