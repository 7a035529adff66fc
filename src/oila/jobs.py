"""Background jobs: what runs them and where they are.

Jobs are huey tasks declared in each app's `tasks.py` (for example `oila.audit.tasks`, the nightly
audit-chain verification at 02:00 programme time); huey's Django integration imports every app's
`tasks` module, so a new job needs no registration here. Periodic jobs use
`oila.common.schedules.local_crontab` so that their hours are in settings.TIME_ZONE.

Run the consumer, which executes queued jobs and enqueues periodic ones, next to the web server:

    oila run_huey                 # one worker thread
    oila run_huey --workers 4     # more workers for exports and imports

Where the queue lives is a setting: REDIS_URL set → Redis (an organisation's server); unset → an
SQLite file under OILA_VAR_DIR (a laptop; only one consumer then). Under the test suite
(OILA_TESTING=1) huey runs in immediate mode: calling a task runs it at once, in the caller's process.
See docs/admin-guide.md and docs/deploy.md.
"""
