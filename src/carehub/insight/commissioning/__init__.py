"""Commissioning evidence (no Django): demand, surges, waits, unmet need and the funding gap, over the extract.

Public pieces: `forecast.forecast` (model chosen by backtest, intervals, flagged months, explicit change points),
`waits.summarise` (Kaplan-Meier medians and 90th percentiles with censoring), `queue.fte_needed` / `queue.project`
(a vectorised queue simulation checked against Erlang C), `capacity` (today's FTE per service type from the
extract's services, the year under it, and the gap to what the wait target needs, with its cost),
`demand.borough_rates_from_cube` (referrals per 10,000 adult women with exact Poisson intervals, beside the planning
norms), `views.view` (the figures for a filter or one service, from the run's count tables) and `settings.Settings`
(norms, populations and costs with sources). Series with planted patterns for tests are drawn by
`carehub.synthetic.demand`.
"""
