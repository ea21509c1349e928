"""Results → what a person or a program reads: tables, CSV, JSON, Parquet, Markdown, HTML and
workbooks, and the one way every file is written (writing)."""
