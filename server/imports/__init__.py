"""Importing people and their enrolments from a spreadsheet (CSV or XLSX): reading the file
(`parsing`), the template offered for download (`template`), the signed copy of the file kept
between preview and confirmation (`signing`), and checking, matching and writing the rows
(`service`)."""
