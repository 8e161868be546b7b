"""Journey analytics: SQL aggregates over the step log and runs, returned as plain dataclasses.

    from engine.analytics import Analytics
    analytics = Analytics(sql_engine)          # SQLAlchemy Engine of a migrated database
    funnel = analytics.funnel(vendor_id, journey_id)
    funnel.node("welcome").entered, funnel.conversion("welcome", "questionnaire")

Modules: results (the dataclasses), queries (the SQL), rollup (step-log summaries kept up to
date incrementally), sql (the few SQLite/PostgreSQL differences), stats (the significance test
for splits), live (change notifications for dashboards, LISTEN/NOTIFY across processes),
tables (the summary tables and analytics indexes). Nothing here plots, and nothing reads a clock.
"""
from engine.analytics.live import Change, LiveFeed, PgChangeListener, install_pg_notifier
from engine.analytics.queries import Scope
from engine.analytics.results import (BranchResult, Cohort, DayTrend, Funnel, NodeStats,
                                      NodeTiming, RunTotals, SignificanceTest, SplitResult,
                                      StuckRun, Transition, VersionStats)
from engine.analytics.service import Analytics
from engine.analytics.stats import chi2_sf, conversion_test

__all__ = ["Analytics", "BranchResult", "Change", "Cohort", "DayTrend", "Funnel", "LiveFeed",
           "NodeStats", "NodeTiming", "PgChangeListener", "RunTotals", "Scope",
           "SignificanceTest", "SplitResult", "StuckRun", "Transition", "VersionStats",
           "chi2_sf", "conversion_test", "install_pg_notifier"]
