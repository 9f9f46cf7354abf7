"""Commissioning evidence (no Django): demand, surges, waits, unmet need and the funding gap, over the extract.

Public pieces: `forecast.forecast` (model chosen by backtest, intervals, flagged months, explicit change points),
`waits.summarise` (Kaplan-Meier medians and 90th percentiles with censoring), `queue.fte_needed` / `queue.project`
(a vectorised queue simulation checked against Erlang C), `settings.Settings` (norms and costs with sources) and
`synthetic` (series with planted patterns for tests).
"""
