"""French dates as people write them: "2 déc. 2026, 11:27"."""

DATE_FORMAT = "j F Y"  # 2 décembre 2026
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j N"  # 2 déc.: the statistics' axes
SHORT_DATE_FORMAT = "j N Y"  # 2 déc. 2026
SHORT_DATETIME_FORMAT = "j N Y, H:i"  # 2 déc. 2026, 11:27

# Typed dates: ISO first (what date fields send), then the French day/month/year.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
