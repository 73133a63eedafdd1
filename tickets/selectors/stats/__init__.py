"""The statistics of one service over a period, read for the statistics page and its exports.

- `periods`: the period chosen on the page (days, grouped by day or by week);
- `figures`: every figure of the page for a service and a period, computed or cached;
- `results`: the figures as plain values (`ServiceStats` and its rows);
- `delays`: times to the first response and to the closure (medians, 90th percentiles);
- `words`: the words that come back in the subjects (recurring problems).
"""
