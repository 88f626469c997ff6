"""Part of a transaction's work done on a second connection, at the same time, committed if and
only if the transaction commits (two-phase commit).

Why: PostgreSQL runs a transaction on one backend, that is on one core. A 100,000-row members
import commits people, memberships and registration events (about 4.5 s on the development
machine) and then 200,000 audit rows (about 2.5 s) in one transaction, while the machine's other
core waits. The audit rows are built from the staged rows, with ids drawn at the check, so they
do not need the rows written before them — only to become visible when, and only if, the rest
does.

How:

1. the main transaction takes an advisory lock on the companion's id, held until it ends;
2. the companion, on its own connection in a thread, runs its statements and then
   ``PREPARE TRANSACTION``: its rows are on disk (they survive a crash) but nobody sees them,
   and they no longer need that connection;
3. the main transaction waits for it (``join``) and, if it prepared, writes a
   :class:`~tuanwu.core.models.CompanionCommit` row with everything else;
4. once the main transaction has ended, :func:`settle_pending` commits the prepared
   transaction if the marker row is there (the main transaction committed) and rolls it back if
   not. If the process dies between the main commit and this step, :func:`settle_orphans` — run
   before every import commit and by ``manage.py settle_companions`` — decides the same way for
   every prepared companion whose main transaction has ended (its advisory lock is free).

Between the main commit and step 4 (a few milliseconds) the main rows are visible without the
companion's; nothing reads the two together in that moment in a way that matters for an audit
trail. The companion is used only when the server allows prepared transactions
(``max_prepared_transactions`` > 0; the project's own PostgreSQL sets 16, see
``config/dbserver.py``) and the main transaction is the outermost one, so that its end is a real
COMMIT; otherwise :func:`available` is False and the caller does the work in the main
transaction, as it would without this module.
"""

from __future__ import annotations

import logging
import re
import threading
import uuid

from django.db import connection

logger = logging.getLogger(__name__)

PREFIX = "tuanwu-companion-"
_GID = re.compile(r"^tuanwu-companion-[0-9a-f]{32}$")


def available() -> bool:
    """Whether a companion may be started now, from inside the caller's transaction."""
    if connection.vendor != "postgresql" or len(connection.atomic_blocks) != 1:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_prepared_transactions')::int")
        return cursor.fetchone()[0] > 0


def _quoted(gid: str) -> str:
    # PREPARE / COMMIT PREPARED take a literal, not a parameter: only our own ids get here.
    if not _GID.match(gid):
        raise ValueError(f"not a companion transaction id: {gid!r}")
    return f"'{gid}'"


class Companion:
    """Statements run on a second connection while the caller's transaction goes on.

    ``statements`` are (sql, params) pairs; ``expected_rows`` is the total row count they must
    write (when they see fewer rows than the caller expects — rows the caller has not committed,
    say — the companion rolls back and ``join`` says so, so the caller does the work itself)."""

    def __init__(self, statements: list[tuple[str, dict]], expected_rows: int):
        self.gid = PREFIX + uuid.uuid4().hex
        self.statements = statements
        self.expected_rows = expected_rows
        self.prepared = False
        self.rows = 0
        self.seconds = 0.0
        self.error: BaseException | None = None
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [self.gid])
        self._params = connection.get_connection_params()
        self._database = connection.Database
        pending = connection.__dict__.setdefault("_tuanwu_companions", [])
        pending.append(self)
        self._thread = threading.Thread(target=self._run, name=self.gid, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import time

        started = time.perf_counter()
        try:
            conn = self._database.connect(**self._params)
        except BaseException as exc:
            self.error = exc
            return
        try:
            with conn.cursor() as cursor:
                for sql, params in self.statements:
                    cursor.execute(sql, params)
                    self.rows += max(cursor.rowcount, 0)
                if self.rows != self.expected_rows:
                    conn.rollback()
                    return
                cursor.execute(f"PREPARE TRANSACTION {_quoted(self.gid)}")
            self.prepared = True
        except BaseException as exc:
            self.error = exc
            try:
                conn.rollback()
            except Exception:
                pass
        finally:
            conn.close()
            self.seconds = time.perf_counter() - started

    def join(self) -> bool:
        """Wait for the companion. True: its work is prepared and the marker is now written in
        the caller's transaction. False: it did nothing (failed, or saw other rows than
        expected): the caller does the work itself."""
        self._thread.join()
        if self.error is not None:
            logger.warning("companion transaction failed, work done in the main transaction instead: %r",
                           self.error)
        if not self.prepared:
            return False
        from .models import CompanionCommit

        CompanionCommit.objects.create(gid=self.gid)
        return True

    def settle(self) -> None:
        """After the caller's transaction has ended: commit or roll back the prepared work."""
        self._thread.join()
        if self.prepared:
            _settle(self.gid)


def settle_pending() -> None:
    """Settle every companion started on this thread's connection (call it once the transaction
    they belong to has ended, committed or not). A failure is logged; settle_orphans retries."""
    pending = connection.__dict__.pop("_tuanwu_companions", [])
    for companion in pending:
        try:
            companion.settle()
        except Exception:
            logger.exception("could not settle companion transaction %s (settle_orphans will)", companion.gid)


def _settle(gid: str) -> str:
    """Commit the prepared transaction if its marker exists, else roll it back. Only for a gid
    whose main transaction has ended. Returns what was done."""
    from .models import CompanionCommit

    if connection.in_atomic_block:
        raise RuntimeError("a prepared transaction is settled outside any transaction")
    committed = CompanionCommit.objects.filter(gid=gid).exists()
    with connection.cursor() as cursor:
        try:
            cursor.execute(f"{'COMMIT' if committed else 'ROLLBACK'} PREPARED {_quoted(gid)}")
        except Exception:
            # Someone else settled it in the meantime (another process's settle_orphans).
            cursor.execute("SELECT 1 FROM pg_prepared_xacts WHERE gid = %s", [gid])
            if cursor.fetchone():
                raise
    CompanionCommit.objects.filter(gid=gid).delete()
    return "committed" if committed else "rolled back"


def settle_orphans() -> dict[str, str]:
    """Settle every prepared companion of this database whose main transaction has ended (its
    advisory lock can be taken): left by a process that died between its commit and settling."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT gid FROM pg_prepared_xacts WHERE database = current_database() AND gid LIKE %s",
                       [PREFIX + "%"])
        gids = [gid for (gid,) in cursor.fetchall() if _GID.match(gid)]
    done = {}
    for gid in gids:
        # A session-level lock, released right after: while held, the main transaction cannot
        # be running (it takes the same lock for its whole life before the companion exists).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [gid])
            if not cursor.fetchone()[0]:
                continue
            try:
                done[gid] = _settle(gid)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [gid])
    if done:
        logger.warning("settled orphaned companion transactions: %s", done)
    return done
