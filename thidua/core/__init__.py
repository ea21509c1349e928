"""The pure core: a checked criteria model and a frame in, frames and small frozen results
out (rules, scoring, decisions, reasons, explanations, audit, sensitivity). No files, no
printing, no click."""
