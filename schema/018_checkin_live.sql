-- 018_checkin_live: only a live ticket of a performance still on opens
-- the door, in the schema itself.
--
-- cancel-performance cancels the performance in one transaction and
-- refunds its tickets in batches after it (core/refund.c): stopped in
-- between (killed, or the database stayed busy; the command says to run
-- it again to finish), the tickets of a cancelled performance are still
-- unrefunded for a while. core/checkin.c refuses them; this trigger is
-- what holds if any program ever does not, as 012's PRIMARY KEY holds
-- for a second admission. A refunded ticket is refused here too.
CREATE TRIGGER checkin_only_live BEFORE INSERT ON checkin
WHEN (SELECT p.cancelled_at FROM ticket t
      JOIN performance p ON p.id = t.performance_id
      WHERE t.id = NEW.ticket) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'this performance is cancelled');
END;

CREATE TRIGGER checkin_not_refunded BEFORE INSERT ON checkin
WHEN (SELECT refunded_at FROM ticket WHERE id = NEW.ticket) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'a refunded ticket opens no door');
END;
